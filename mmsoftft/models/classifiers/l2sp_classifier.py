"""Image classifier fine-tuned with the L2-SP penalty."""
from typing import List, Optional

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..losses.l2sp_loss import L2SPLoss  # noqa: F401 (registers it)
from ..utils import (
    PredFeatMixin,
    check_pretrained,
    domain_loss_dict,
    missing_hook_error,
    pretrained_checkpoint,
    to_channels_last,
)

__all__ = ['L2SPClassifier']


@MODELS.register_module()
class L2SPClassifier(PredFeatMixin, ImageClassifier):
    """``ImageClassifier`` fine-tuned with L2-SP.

    L2-SP (Li, Grandvalet & Davoine, ICML 2018,
    https://arxiv.org/abs/1802.01483) replaces weight decay by a pull of
    the shared weights toward their pre-trained values:

    .. math::

        L = L_t + \\frac{\\alpha}{2} \\lVert w_S - w_S^0 \\rVert_2^2
                + \\frac{\\beta}{2} \\lVert w_{new} \\rVert_2^2

    ``w_S`` are the weights loaded from the pre-trained checkpoint: the
    backbone's (which must have a ``Pretrained`` init_cfg) and the neck's
    if it has one; ``w_new`` all other weights (the new head). ``w_S^0`` is
    recorded in :meth:`init_weights`, right after the checkpoint is loaded
    (the Runner calls it before resuming, so a resumed run pulls toward the
    same values). It is no buffer (it follows the model's ``.to()``):
    checkpoints hold exactly the keys of a plain ``ImageClassifier`` and
    load into one.

    ``L_t`` is the head's own loss (logged ``loss_target``), the penalty
    terms are logged ``loss_l2sp`` and ``loss_l2_new``. The optimizer must
    not decay any weight on top: train with ``weight_decay=0`` and
    :class:`L2SPHook`, which checks the optimizer; without the hook the
    first training step raises.

    Args:
        backbone (dict): The backbone config, with a ``Pretrained``
            init_cfg.
        neck (dict, optional): The neck config. Defaults to None.
        head (dict, optional): The new head config. Defaults to None.
        loss (dict): The :class:`L2SPLoss` config (``alpha``, ``beta``),
            built as :attr:`loss_module`, the method's extra loss term.
            Defaults to ``dict(type='L2SPLoss')``.
        predict_feat (bool): In ``predict`` mode, also put the features
            fed to the head into each prediction (``pred_feat``), e.g. for
            :class:`GeneralDiscriminationMetric`. Defaults to False.
        channels_last (bool): Keep the weights in ``channels_last`` memory
            format (``tools/train.py --channels-last`` sets it).
            Defaults to False.
        **kwargs: Other ``ImageClassifier`` arguments (``train_cfg``,
            ``data_preprocessor``, ``init_cfg``).
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 loss: dict = dict(type='L2SPLoss'),
                 predict_feat: bool = False,
                 channels_last: bool = False,
                 **kwargs):
        super().__init__(backbone=backbone, neck=neck, head=head, **kwargs)
        self.shared_parts = [
            name for name in ('backbone', 'neck') if pretrained_checkpoint(
                getattr(getattr(self, name), 'init_cfg', None))
        ]
        if 'backbone' not in self.shared_parts:
            raise ValueError(
                'L2SPClassifier pulls the backbone toward its pre-trained '
                "weights: set `model.backbone.init_cfg=dict(type='Pretrained'"
                ", checkpoint=..., prefix='backbone')`, but got "
                f'init_cfg={self.backbone.init_cfg!r}')
        self.loss_module = MODELS.build(loss)
        # w_S^0, flat; filled by init_weights. A plain attribute, not a
        # buffer: in no checkpoint, and a copy of the model taken before
        # init_weights (EMAHook's averaged model) has the same buffers.
        self.pretrained_shared: Optional[torch.Tensor] = None
        self.optimizer_checked = False  # set by L2SPHook
        self.predict_feat = predict_feat
        self.channels_last = channels_last
        to_channels_last(self, channels_last)  # before DDP wraps it

    def split_params(self) -> tuple:
        """``(w_S, w_new)``: lists of the shared and the new weights."""
        prefixes = tuple(f'{name}.' for name in self.shared_parts)
        shared, new = [], []
        for name, param in self.named_parameters():
            (shared if name.startswith(prefixes) else new).append(param)
        return shared, new

    def init_weights(self) -> None:
        """Load (and check) the pre-trained weights, then record them as
        ``w_S^0``."""
        check_pretrained([
            (name, getattr(self, name),
             pretrained_checkpoint(getattr(self, name).init_cfg))
            for name in self.shared_parts
        ])
        super().init_weights()
        shared, _ = self.split_params()
        self.pretrained_shared = torch.cat(
            [w.detach().reshape(-1) for w in shared])

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        if self.pretrained_shared is not None:  # .to(), .cuda() follow
            self.pretrained_shared = fn(self.pretrained_shared)
        return self

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        """The head's losses (``loss_target*``) plus the L2-SP terms.

        Raises:
            ValueError: If :class:`L2SPHook` has not checked the optimizer.
            RuntimeError: If ``w_S^0`` was never recorded (no
                :meth:`init_weights`).
        """
        if not self.optimizer_checked:
            raise missing_hook_error(
                type(self).__name__, 'L2SPHook',
                'L2-SP replaces weight decay and the hook checks that the '
                'optimizer does not decay the weights too')
        if self.pretrained_shared is None:
            raise RuntimeError(
                'L2SPClassifier records the pre-trained weights in '
                'init_weights(); call it (the Runner does) before training')
        losses = domain_loss_dict(super().loss(inputs, data_samples),
                                  'target')
        shared, new = self.split_params()
        pretrained = [
            w0.view_as(w) for w0, w in zip(
                self.pretrained_shared.split([w.numel() for w in shared]),
                shared)
        ]
        losses.update(self.loss_module(shared, pretrained, new))
        return losses
