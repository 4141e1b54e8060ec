"""Image classifier fine-tuned with Learning without Forgetting."""
import copy
from typing import List, Optional

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..losses.lwf_loss import LwFLoss  # noqa: F401 (registers it)
from ..utils import domain_loss_dict, missing_hook_error, pretrained_checkpoint
from .soft_finetune_classifier import SoftFineTuneClassifier

__all__ = ['LwFClassifier']


@MODELS.register_module()
class LwFClassifier(SoftFineTuneClassifier):
    """Learning without Forgetting: the source head keeps answering as the
    pre-trained network did, on the target images.

    LwF (Li & Hoiem, ECCV 2016, https://arxiv.org/abs/1606.09282): with
    ``y_o`` the pre-trained network's source outputs on a target image and
    ``\\hat{y}_o = source\\_head(f(x_t))`` the current ones,

    .. math::

        L = L_t + \\lambda_o \\, \\mathrm{KD}(y_o, \\hat{y}_o)

    (:class:`LwFLoss`: ``T = 2``, ``lambda_o = 1``). No source image is
    used: training runs on the plain target data. The model is soft
    fine-tuning's (one backbone, the new ``head``, the pre-trained
    ``source_head`` loaded from the backbone's checkpoint, with the same
    checks; ``predict`` uses ``head`` alone), but its ``loss`` is the
    distillation above, logged ``loss_lwf`` beside ``loss_target``.

    ``y_o`` is computed on the fly, on the same (augmented) images the
    student sees, by a frozen copy of the pre-trained backbone, neck and
    source head taken in :meth:`init_weights` right after loading (the
    paper records ``y_o`` once before training, on unaugmented images).
    The copy is in eval mode and is no submodule: it is in no checkpoint,
    no optimizer and no DDP reducer, and follows the model's ``.to()``. It
    costs one extra forward pass (no backward) per iteration. The paper's
    warm-up (only the new head trains first) is :class:`LinearProbeHook`;
    with ``linear_probe=True`` the model refuses to train without it.

    Args:
        backbone (dict): The backbone config, with a ``Pretrained``
            init_cfg.
        source_head (dict): The pre-trained source classifier config, with
            ``init_cfg=dict(type='Pretrained', prefix='head')`` and no
            ``loss`` or ``topk`` (unused here: refused).
        loss (dict): The :class:`LwFLoss` config (``temperature``,
            ``loss_weight`` = ``lambda_o``), built as :attr:`loss_module`,
            the method's extra loss term. Defaults to
            ``dict(type='LwFLoss')``.
        linear_probe (bool): Whether the recipe has the paper's warm-up,
            :class:`LinearProbeHook` in ``custom_hooks``; if True, training
            refuses to start without it. Defaults to True.
        **kwargs: :class:`SoftFineTuneClassifier`'s other arguments:
            ``head`` (the new target head config, required), ``neck``,
            ``predict_feat``, ``channels_last``, ``train_cfg``,
            ``data_preprocessor``, ``init_cfg``.
    """

    def __init__(self,
                 backbone: dict,
                 source_head: dict,
                 loss: dict = dict(type='LwFLoss'),
                 linear_probe: bool = True,
                 **kwargs):
        for key in ('loss', 'topk'):
            if isinstance(source_head, dict) and key in source_head:
                raise ValueError(
                    f'LwFClassifier does not use `model.source_head.{key}`'
                    ' (the source head is trained by `model.loss`, the '
                    'LwFLoss, and never evaluated), but got '
                    f'{key}={source_head[key]!r}: remove it')
        super().__init__(backbone, source_head, **kwargs)
        if self.source_forward != 'joint':
            raise ValueError(
                'LwFClassifier trains on target images only: '
                "`source_forward` (a pass for source images) should be "
                f"'joint', the default, but got {self.source_forward!r}")
        self.loss_module = MODELS.build(loss)
        self.linear_probe = linear_probe
        self.probe_iters = None  # set by LinearProbeHook
        if pretrained_checkpoint(self.source_head.init_cfg) is None:
            raise ValueError(
                'LwFClassifier distils the pre-trained source head: set '
                "`model.backbone.init_cfg=dict(type='Pretrained', "
                "checkpoint=..., prefix='backbone')` and `model.source_head"
                ".init_cfg=dict(type='Pretrained', prefix='head')`, but got "
                f'source_head.init_cfg={self.source_head.init_cfg!r}')

    @property
    def teacher(self) -> Optional[ImageClassifier]:
        """The frozen pre-trained network (None before init_weights)."""
        return self.__dict__.get('_teacher')

    def init_weights(self) -> None:
        """Load (and check) the pre-trained weights, then copy the
        pre-trained network as the frozen teacher."""
        super().init_weights()
        teacher = ImageClassifier(
            backbone=copy.deepcopy(self.backbone),
            neck=copy.deepcopy(self.neck),
            head=copy.deepcopy(self.source_head))
        teacher.eval().requires_grad_(False)
        # Not a submodule (see the class docstring): set past nn.Module.
        object.__setattr__(self, '_teacher', teacher)

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        if self.teacher is not None:  # .to(), .cuda(), .half() follow
            self.teacher._apply(fn, *args, **kwargs)
        return self

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        """The target head's losses (``loss_target*``) and ``loss_lwf``.

        Raises:
            ValueError: If a sample is a source sample (LwF trains on the
                target data only), or the warm-up's hook did not run.
            RuntimeError: If there is no teacher yet (no
                :meth:`init_weights`).
        """
        if any(s.get('domain') == 'source' for s in data_samples):
            raise ValueError(
                'LwFClassifier trains on target images only, but the batch '
                'holds source samples: train it on the plain target data '
                '(no SourceTargetDataset / SoftFineTuneHook)')
        if self.linear_probe and self.probe_iters is None:
            raise missing_hook_error(
                type(self).__name__, 'LinearProbeHook',
                "the paper's warm-up: the new head trains alone first; set "
                '`model.linear_probe=False` to train without it')
        if self.teacher is None:
            raise RuntimeError(
                'LwFClassifier copies the pre-trained network in '
                'init_weights(); call it (the Runner does) before training')
        feats = self.extract_feat(inputs)
        losses = domain_loss_dict(self.head.loss(feats, data_samples),
                                  'target')
        with torch.no_grad():
            recorded = self.teacher(inputs, mode='tensor')
        losses['loss_lwf'] = self.loss_module(self.source_head(feats),
                                              recorded)
        return losses
