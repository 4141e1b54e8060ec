"""Image classifier with a target head and a retained source head."""
import copy
from collections.abc import Mapping
from typing import List, Optional, Union

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import (
    PredFeatMixin,
    SourceTargetDataPreprocessor,
    check_pretrained,
    domain_loss_dict,
    frozen_running_stats,
    missing_hook_error,
    pretrained_checkpoint,
    reweight_loss_dict,
    to_channels_last,
)
from ..utils.domain_split import (
    joint_inputs,
    split_domain_dict,
    split_domains,
)

__all__ = ['SoftFineTuneClassifier']


@MODELS.register_module()
class SoftFineTuneClassifier(PredFeatMixin, ImageClassifier):
    """Soft fine-tuning: one backbone, a new target head, the source head.

    In ``loss`` mode each head computes its own loss from its own ``loss``
    config on its own samples (told apart by the ``domain`` that
    :class:`SourceTargetDataset` sets), as ``ImageClassifier.loss`` does
    (``head.loss(feats, data_samples)``), and the two are combined as
    mmdet's semi-supervised detectors combine their branches (the source
    losses reweighted, both renamed):

    .. math:: L = L_{target} + w \\cdot L_{source}

    logged as ``loss_target`` and ``loss_source`` (the latter already times
    ``w``). ``w`` = :attr:`source_weight` is set before every iteration by
    :class:`SoftFineTuneHook`, which owns the schedule; without the hook
    ``loss`` refuses to train (a derived config that replaced
    ``custom_hooks`` would otherwise train another method). ``predict`` and
    ``tensor``
    modes use the target ``head`` only, so a trained checkpoint loads into a
    plain mmpretrain ``ImageClassifier`` with the same head.

    How the images go through the backbone is ``source_forward``:

    - ``'joint'``: source and target images in one pass, as one batch. The
      images must have one size, and in train mode BatchNorm normalises the
      target images with statistics of a batch that is part source images
      (and its running statistics take in both).
    - ``'separate'``: the target images in a pass of their own (their
      BatchNorm batch statistics are theirs alone), then the source images
      in a second pass, at their own pipeline's size (e.g. ImageNet's
      224 px beside 448 px target crops: a quarter of the joint pass's
      source cost). Neither is padded to the other: ``stack_collate`` and
      :class:`SourceTargetDataPreprocessor` (the default preprocessor here)
      give ``inputs=dict(target=Tensor, source=Tensor)`` when the sizes
      differ. ``source_bn_stats`` says what the source pass does to the
      BatchNorm running statistics. Both passes are one forward and one
      backward of the model, so DDP, AMP autocast and gradient accumulation
      see one step as with the joint pass.

    Without source samples (once ``w`` is 0 the sampler draws none) both
    run the target images alone, the same pass.

    Pre-trained weights come from ONE standard mmpretrain checkpoint through
    mmengine's ``init_cfg``, as in mmpretrain's fine-tuning configs:
    ``backbone.init_cfg=dict(type='Pretrained', checkpoint=..., prefix=
    'backbone')`` and ``source_head.init_cfg=dict(type='Pretrained',
    prefix='head')``. The source head's ``checkpoint`` defaults to the
    backbone's, so one key sets both (the key of the plain baseline). Before
    loading, the checkpoint is checked: a missing prefix or a class count
    other than ``source_head.num_classes`` is a ``ValueError``.

    Args:
        backbone (dict): The backbone config.
        source_head (dict): The source classifier config, shaped like the
            pre-trained checkpoint's head (e.g. 1000 ImageNet classes).
        neck (dict, optional): The neck config. Defaults to None.
        head (dict): The new target head config.
        predict_feat (bool): In ``predict`` mode, also put the features
            fed to the head into each prediction (``pred_feat``), e.g. for
            :class:`GeneralDiscriminationMetric`. Defaults to False.
        channels_last (bool): Keep the weights in ``channels_last`` memory
            format. Defaults to False.
        source_forward (str): ``'joint'`` (source and target images in one
            backbone pass) or ``'separate'`` (a pass each, each at its own
            size). Defaults to ``'joint'``.
        source_bn_stats (str, optional): With the separate pass, what the
            source pass does to the running statistics of the backbone's
            and neck's BatchNorm layers: ``'frozen'`` leaves them alone (the
            source images are normalised with their own batch statistics,
            the running statistics, which evaluation uses, are the target
            images' only: evaluation normalises as training normalised the
            target images) or ``'update'`` (they take in the source batches
            too, as in the joint pass). Defaults to None: ``'frozen'`` with
            the separate pass; the joint pass can only ``'update'``.
        train_cfg (dict, optional): Must hold no batch ``augments``: they
            would mix samples of the two label spaces. Defaults to None.
        data_preprocessor (dict, optional): The data preprocessor config;
            no ``batch_augments`` either. Its ``type`` defaults to
            :class:`SourceTargetDataPreprocessor` (``ClsDataPreprocessor``'s
            keys), which the separate pass needs. Defaults to None.
        init_cfg (dict, optional): The init config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 source_head: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 predict_feat: bool = False,
                 channels_last: bool = False,
                 source_forward: str = 'joint',
                 source_bn_stats: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if head is None:
            raise ValueError('SoftFineTuneClassifier needs a target `head`')
        source_forward, source_bn_stats = self._source_pass(
            source_forward, source_bn_stats)
        if data_preprocessor is None or isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor or {})
            data_preprocessor.setdefault('type',
                                         'SourceTargetDataPreprocessor')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        augments = getattr(self.data_preprocessor, 'batch_augments', None)
        if augments is not None:
            raise ValueError(
                'SoftFineTuneClassifier does not support batch augments '
                '(`train_cfg.augments` or `data_preprocessor.batch_augments`'
                f', e.g. Mixup/CutMix): they would mix source and target '
                f'labels, but got {augments}')
        if source_forward == 'separate' and not isinstance(
                self.data_preprocessor, SourceTargetDataPreprocessor):
            raise ValueError(
                "source_forward='separate' needs the data preprocessor "
                'SourceTargetDataPreprocessor (it keeps source and target '
                'images of different sizes apart; leave out its `type` or '
                'set it), but got '
                f'{type(self.data_preprocessor).__name__}')
        if isinstance(source_head, dict):
            # drawing no random number: the target head is then initialised
            # exactly as in plain fine-tuning with the same seed
            with torch.random.fork_rng(devices=[]):
                source_head = MODELS.build(
                    self._source_head_cfg(backbone, source_head))
        self.source_head = source_head
        # None until SoftFineTuneHook sets it: training refuses to start
        self.source_weight: Optional[float] = None
        self.predict_feat = predict_feat
        self.channels_last = channels_last
        self.source_forward = source_forward
        self.source_bn_stats = source_bn_stats
        to_channels_last(self, channels_last)  # before DDP wraps it

    @staticmethod
    def _source_pass(source_forward: str,
                     source_bn_stats: Optional[str]) -> tuple:
        """``(source_forward, source_bn_stats)``, checked and resolved."""
        if source_forward not in ('joint', 'separate'):
            raise ValueError(
                "`source_forward` should be 'joint' or 'separate', but got "
                f'{source_forward!r}')
        if source_bn_stats not in (None, 'update', 'frozen'):
            raise ValueError(
                "`source_bn_stats` should be 'update', 'frozen' or None, "
                f'but got {source_bn_stats!r}')
        if source_forward == 'joint' and source_bn_stats == 'frozen':
            raise ValueError(
                "source_bn_stats='frozen' needs source_forward='separate': "
                'the joint pass normalises source and target images in one '
                'batch, whose statistics BatchNorm takes in')
        if source_bn_stats is None:
            source_bn_stats = ('frozen'
                               if source_forward == 'separate' else 'update')
        return source_forward, source_bn_stats

    @staticmethod
    def _source_head_cfg(backbone, source_head: dict) -> dict:
        """The source head config, its checkpoint taken from the
        backbone's when not given."""
        source_head = copy.deepcopy(source_head)
        backbone_cfg = pretrained_checkpoint(
            backbone.get('init_cfg') if isinstance(backbone, dict) else
            getattr(backbone, 'init_cfg', None))
        head_cfg = pretrained_checkpoint(source_head.get('init_cfg'))
        backbone_ckpt = (backbone_cfg or {}).get('checkpoint')
        if head_cfg is None:
            if backbone_ckpt is not None:
                raise ValueError(
                    f'The backbone is loaded from {backbone_ckpt!r} but the '
                    'source head is not: set `model.source_head.init_cfg='
                    "dict(type='Pretrained', prefix='head')` (the source "
                    'classifier must be the pre-trained one)')
            return source_head
        head_ckpt = head_cfg.get('checkpoint')
        if head_ckpt is None:
            if backbone_ckpt is None:
                raise ValueError(
                    '`model.source_head.init_cfg` has no `checkpoint` and '
                    'the backbone has no Pretrained init_cfg to take it '
                    'from: set `model.backbone.init_cfg.checkpoint`')
            head_cfg['checkpoint'] = backbone_ckpt
        elif backbone_ckpt is not None and head_ckpt != backbone_ckpt:
            raise ValueError(
                '`model.source_head.init_cfg.checkpoint` '
                f'({head_ckpt!r}) differs from `model.backbone.init_cfg.'
                f'checkpoint` ({backbone_ckpt!r}): the source head must come '
                'from the checkpoint the backbone was trained with')
        return source_head

    def init_weights(self) -> None:
        """Check the ``Pretrained`` checkpoints, then initialise."""
        parts = []
        for name in ('backbone', 'neck', 'source_head'):
            module = getattr(self, name, None)
            cfg = pretrained_checkpoint(getattr(module, 'init_cfg', None))
            if cfg is not None and not getattr(module, 'is_init', False):
                parts.append((name, module, cfg))
        check_pretrained(parts)
        super().init_weights()

    def loss(self, inputs: Union[torch.Tensor, dict],
             data_samples: List[DataSample]) -> dict:
        """Losses of a mixed source/target batch.

        Args:
            inputs (Tensor | dict): Images, shape ``(N, C, H, W)``, or
                ``dict(target=Tensor, source=Tensor)`` (each domain at its
                own size; the samples are the target ones, then the source
                ones), as :class:`SourceTargetDataPreprocessor` gives.
            data_samples (list[DataSample]): Samples with ``gt_label`` and
                ``domain``.

        Returns:
            dict[str, Tensor]: the target head's losses renamed
            ``loss_target*``, the source head's ``loss_source*`` (scaled by
            the source weight; absent in a batch without source samples).

        Raises:
            ValueError: If :class:`SoftFineTuneHook` has not set the source
                weight, or the joint pass is given images of two sizes.
        """
        if self.source_weight is None:
            raise missing_hook_error(
                type(self).__name__, 'SoftFineTuneHook',
                'it sets the source weight w(t) before every iteration and '
                'stops the source images where w reaches 0')
        if self.source_forward == 'joint':
            feats = self.extract_feat(joint_inputs(inputs, data_samples))
            target, source = split_domains(feats, data_samples)
        else:
            split = (split_domain_dict
                     if isinstance(inputs, Mapping) else split_domains)
            target, source = split(inputs, data_samples)
            target = (self.extract_feat(target[0]), target[1])
            if source is not None:
                source = (self._source_feat(source[0]), source[1])
        return self._combine(target, source)

    def _source_feat(self, inputs: torch.Tensor):
        """The source pass, under the ``source_bn_stats`` policy."""
        if self.source_bn_stats == 'update':
            return self.extract_feat(inputs)
        with frozen_running_stats(self.backbone, getattr(self, 'neck',
                                                         None)):
            return self.extract_feat(inputs)

    def _combine(self, target: tuple, source: Optional[tuple]) -> dict:
        """``L_target`` and ``w * L_source`` from each head's
        ``(feats, samples)``."""
        losses = domain_loss_dict(self.head.loss(*target), 'target')
        if source is None:
            # Keep every parameter in the graph so DDP without
            # find_unused_parameters survives target-only batches.
            key = next(k for k in losses if 'loss' in k)
            losses[key] = losses[key] + sum(
                p.sum() for p in self.source_head.parameters()) * 0.0
            return losses
        source_losses = self.source_head.loss(*source)
        losses.update(
            domain_loss_dict(
                reweight_loss_dict(source_losses, self.source_weight),
                'source'))
        return losses
