"""mmpretrain's ImageClassifier that trains only under LP-FT's hook."""
from typing import List

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import missing_hook_error, to_channels_last

__all__ = ['LPFTClassifier']


@MODELS.register_module()
class LPFTClassifier(ImageClassifier):
    """LP-FT's model: an ``ImageClassifier`` that needs
    :class:`LinearProbeHook`.

    LP-FT (Kumar et al., ICLR 2022) is plain fine-tuning whose first part
    is a linear probe; the probe is :class:`LinearProbeHook`'s work. With an
    ``ImageClassifier``, a derived config that replaces ``custom_hooks``
    would silently train plain fine-tuning under LP-FT's name; this model
    refuses to train until the hook has run. Its module and state-dict keys
    are ``ImageClassifier``'s, so its checkpoints load into plain mmpretrain.

    Args:
        channels_last (bool): Keep the weights in ``channels_last`` memory
            format. Defaults to False.
        **kwargs: ``ImageClassifier``'s arguments.
    """

    def __init__(self, channels_last: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.channels_last = channels_last
        to_channels_last(self, channels_last)
        self.probe_iters = None  # set by LinearProbeHook

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        """``ImageClassifier``'s losses, once the hook has run.

        Raises:
            ValueError: If :class:`LinearProbeHook` has not run.
        """
        if self.probe_iters is None:
            raise missing_hook_error(
                type(self).__name__, 'LinearProbeHook',
                'it trains the new head alone first, then every weight')
        return super().loss(inputs, data_samples)
