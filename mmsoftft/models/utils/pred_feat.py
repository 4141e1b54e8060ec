"""``predict_feat`` for any of the plugin's classifiers."""
from typing import List, Optional

import torch
from mmpretrain.structures import DataSample

__all__ = ['PredFeatMixin']


class PredFeatMixin:
    """Mixin for an ``ImageClassifier`` subclass with a ``predict_feat``
    attribute: in ``predict`` mode, when it is True, each prediction also
    holds the features fed to the head (``pred_feat``, the head's
    ``pre_logits``), e.g. for :class:`GeneralDiscriminationMetric`. Every
    classifier of the plugin takes ``predict_feat`` through it."""

    predict_feat = False

    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """The head's predictions (plus ``pred_feat`` if enabled)."""
        feats = self.extract_feat(inputs)
        preds = self.head.predict(feats, data_samples, **kwargs)
        if self.predict_feat:
            pooled = self.head.pre_logits(feats)
            for pred, feat in zip(preds, pooled):
                pred.set_field(feat.detach(), 'pred_feat')
        return preds
