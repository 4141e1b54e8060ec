"""Image classifier fine-tuned with Co-Tuning."""
from typing import List

import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..losses.co_tuning_loss import CoTuningLoss  # noqa: F401 (registers it)
from ..utils import (
    domain_loss_dict,
    missing_hook_error,
    pretrained_checkpoint,
)
from .soft_finetune_classifier import SoftFineTuneClassifier

__all__ = ['CoTuningClassifier']

# ClsHead arguments that only shape the head's own loss(), which Co-Tuning
# never calls on the source head: set, they would be silently ignored.
UNUSED_SOURCE_HEAD_KEYS = ('loss', 'topk', 'cal_acc')


@MODELS.register_module()
class CoTuningClassifier(SoftFineTuneClassifier):
    """Co-Tuning: the pre-trained source head learns soft source labels
    translated from the target labels.

    You, Kou, Jiang & Long, "Co-Tuning for Transfer Learning", NeurIPS 2020,
    https://proceedings.neurips.cc/paper/2020/hash/c8067ad1937f728f51288b3eb986afaa-Abstract.html

    Co-Tuning keeps the pre-trained source classifier and trains it on the
    target images, with no source image, in two steps:

    1. The category relationship :math:`R = p(y_s \\mid y_t)`, shape
       ``(num_target_classes, num_source_classes)``, from the pre-trained
       model before any fine-tuning. This is the paper's *direct* form:
       :math:`R[c]` is the mean of :math:`\\mathrm{softmax}(source\\_head(
       f(x)))` over the target training images of class ``c`` (the paper
       also calibrates these probabilities first; that is not done here).
       :class:`CoTuningHook` computes it in ``before_train``.
    2. Fine-tuning with

       .. math::

           L = L_t(head(f(x)), y_t)
               + \\lambda \\, \\mathrm{CE}(R[y_t], source\\_head(f(x)))

       logged ``loss_target`` (the target head's own ``loss`` config) and
       ``loss_cotuning`` (:class:`CoTuningLoss`, ``lambda`` = its
       ``loss_weight``).

    The model is soft fine-tuning's (one backbone, the new ``head``, the
    pre-trained ``source_head`` loaded from the backbone's checkpoint, with
    the same checks; ``predict`` uses ``head`` alone). ``R`` is the
    buffer :attr:`relationship`, zero until computed: it is saved in
    checkpoints, so a resumed run continues with the ``R`` of its start
    and :class:`CoTuningHook` does not recompute it. :meth:`loss` refuses
    to train until the hook has run (``relationship_checked``), so a
    config whose ``custom_hooks`` lack it fails at the first iteration.

    Args:
        backbone (dict): The backbone config, with a ``Pretrained``
            init_cfg.
        source_head (dict): The pre-trained source classifier config, with
            ``init_cfg=dict(type='Pretrained', prefix='head')``, and no
            ``loss``, ``topk`` or ``cal_acc`` (the source head is trained
            by ``loss`` below, never by its own loss).
        loss (dict): The :class:`CoTuningLoss` config (``loss_weight`` =
            ``lambda``). Defaults to ``dict(type='CoTuningLoss')``.
        **kwargs: The other arguments of :class:`SoftFineTuneClassifier`
            (``head``, required; ``neck``, ``predict_feat``,
            ``channels_last``, ``train_cfg``, ``data_preprocessor``,
            ``init_cfg``); ``source_forward`` must stay ``'joint'``.
    """

    def __init__(self,
                 backbone: dict,
                 source_head: dict,
                 loss: dict = dict(type='CoTuningLoss'),
                 **kwargs):
        if isinstance(source_head, dict):
            unused = [k for k in UNUSED_SOURCE_HEAD_KEYS if k in source_head]
            if unused:
                raise ValueError(
                    'CoTuningClassifier trains the source head with '
                    '`model.loss` (CoTuningLoss) only, so `model.source_head'
                    f'.{unused[0]}` would be ignored: remove it, but got '
                    f'{unused[0]}={source_head[unused[0]]!r}')
        super().__init__(backbone, source_head, **kwargs)
        if self.source_forward != 'joint':
            raise ValueError(  # no source image: no pass of their own
                'CoTuningClassifier uses no source images: `source_forward`'
                f" should be 'joint', but got {self.source_forward!r}")
        if pretrained_checkpoint(self.source_head.init_cfg) is None:
            raise ValueError(
                'CoTuningClassifier relates the target classes to the '
                'pre-trained source classes: set `model.backbone.init_cfg='
                "dict(type='Pretrained', checkpoint=..., prefix='backbone')`"
                " and `model.source_head.init_cfg=dict(type='Pretrained', "
                "prefix='head')`, but got source_head.init_cfg="
                f'{self.source_head.init_cfg!r}')
        self.loss_module = MODELS.build(loss)
        shape = (self.head.num_classes, self.source_head.num_classes)
        self.register_buffer('relationship', torch.zeros(shape))
        self.relationship_checked = False  # set by CoTuningHook

    @property
    def relationship_computed(self) -> bool:
        """Whether :attr:`relationship` holds a relationship (every row a
        distribution), e.g. loaded from a checkpoint; derived from it, so
        it can never disagree with it."""
        rows = self.relationship.float()
        return bool((rows >= 0).all() and torch.allclose(
            rows.sum(dim=1), torch.ones_like(rows[:, 0]), atol=1e-4))

    def set_relationship(self, relationship: torch.Tensor) -> None:
        """Store ``R`` (see the class docstring).

        Raises:
            ValueError: If ``relationship`` has another shape than
                :attr:`relationship` or a row that is not a distribution.
        """
        if relationship.shape != self.relationship.shape:
            raise ValueError(
                'The category relationship should have shape (num target '
                f'classes, num source classes) = '
                f'{tuple(self.relationship.shape)}, but got '
                f'{tuple(relationship.shape)}')
        rows = relationship.float()
        if not (torch.isfinite(rows).all() and (rows >= 0).all()
                and torch.allclose(rows.sum(dim=1), torch.ones_like(
                    rows[:, 0]), atol=1e-4)):
            raise ValueError('Every row of the category relationship should '
                             'be a distribution over the source classes')
        with torch.no_grad():
            self.relationship.copy_(relationship)

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        """``loss_target*`` (the target head's losses) and
        ``loss_cotuning``.

        Raises:
            ValueError: If a sample is a source sample (Co-Tuning trains on
                the target data only), or if :class:`CoTuningHook` has not
                provided the category relationship.
        """
        if any(s.get('domain') == 'source' for s in data_samples):
            raise ValueError(
                'CoTuningClassifier trains on target images only, but the '
                'batch holds source samples: train it on the plain target '
                'data (no SourceTargetDataset / SoftFineTuneHook)')
        if not self.relationship_checked:
            raise missing_hook_error(
                type(self).__name__, 'CoTuningHook',
                'it computes the category relationship p(y_s | y_t) from the '
                'pre-trained model before training; without it the source '
                'head would learn from an empty relationship')
        feats = self.extract_feat(inputs)
        losses = domain_loss_dict(self.head.loss(feats, data_samples),
                                  'target')
        labels = torch.cat([s.gt_label for s in data_samples]).to(
            self.relationship.device)
        losses['loss_cotuning'] = self.loss_module(
            self.source_head(feats), self.relationship[labels])
        return losses
