"""Image classifier with a target head and a retained source head."""
import re
from collections import OrderedDict
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .channels_last_classifier import ChannelsLastImageClassifier

__all__ = ['SoftFineTuneClassifier']


@MODELS.register_module()
class SoftFineTuneClassifier(ChannelsLastImageClassifier):
    """Soft fine-tuning: one backbone, a new target head, the source head.

    In ``loss`` mode the batch (target and source samples, told apart by the
    ``domain`` metainfo that :class:`SourceTargetDataset` sets) goes through
    the backbone once; target features go to ``head`` and source features to
    ``source_head``, and ``loss`` (a :class:`SoftFineTuneLoss`) gives

    .. math:: L = L_{target} + w \\cdot L_{source}

    with ``w`` = :attr:`source_weight`, set every iteration by
    :class:`SoftFineTuneHook` (1.0 without it). The log shows ``loss`` (the
    total), ``loss_target`` and ``loss_source``; the hook adds
    ``source_weight``. ``predict`` and ``tensor`` modes use the target
    ``head`` only, so the trained checkpoint loads into a plain mmpretrain
    ``ImageClassifier`` with the same head (its ``source_head.*`` keys are
    then unused). The heads' own ``loss``
    settings are not used in ``loss`` mode: ``loss`` here is.

    Args:
        backbone (dict): The backbone config.
        source_head (dict): The source classifier config, shaped like the
            pre-trained checkpoint's head (e.g. 1000 ImageNet classes).
        neck (dict, optional): The neck config. Defaults to None.
        head (dict, optional): The new target head config. Defaults to None.
        loss (dict): The :class:`SoftFineTuneLoss` config.
            Defaults to ``dict(type='SoftFineTuneLoss')``.
        pretrained (str, optional): ONE standard mmpretrain checkpoint (path
            or URL): its ``backbone.*`` (and ``neck.*``) weights initialise
            the backbone (and neck), its ``<source_head_prefix>.*`` weights
            the source head. Defaults to None.
        source_head_prefix (str): Prefix of the source classifier's weights
            in ``pretrained``. Defaults to ``'head'``.
        predict_feat (bool): In ``predict`` mode, also put the features
            fed to the head into each prediction (``pred_feat``), e.g. for
            :class:`GeneralDiscriminationMetric`. Defaults to False.
        channels_last (bool): Keep the weights in ``channels_last`` memory
            format, much faster convolutions under AMP on recent NVIDIA GPUs
            (see README's speed figures). Defaults to False.
        train_cfg (dict, optional): Must hold no batch ``augments``: they
            would mix samples of the two label spaces. Defaults to None.
        data_preprocessor (dict, optional): The data preprocessor config.
            Defaults to None.
        init_cfg (dict, optional): The init config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 source_head: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 loss: dict = dict(type='SoftFineTuneLoss'),
                 pretrained: Optional[str] = None,
                 source_head_prefix: str = 'head',
                 predict_feat: bool = False,
                 channels_last: bool = False,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if train_cfg and train_cfg.get('augments'):
            raise ValueError(
                'SoftFineTuneClassifier does not support batch augments '
                '(`train_cfg.augments`): they would mix source and target '
                f'labels, but got {train_cfg["augments"]}')
        if head is None:
            raise ValueError('SoftFineTuneClassifier needs a target `head`')
        if pretrained is not None and not isinstance(pretrained, str):
            raise TypeError('`pretrained` should be a checkpoint path or '
                            f'URL, but got {type(pretrained)}')
        super().__init__(
            channels_last=channels_last,
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.source_head = source_head if isinstance(
            source_head, nn.Module) else MODELS.build(source_head)
        self.loss_module = loss if isinstance(
            loss, nn.Module) else MODELS.build(loss)
        self.pretrained = pretrained
        self.source_head_prefix = source_head_prefix.rstrip('.') + '.'
        self.source_weight = 1.0
        self.predict_feat = predict_feat
        self.keep_layout()  # the source head too, before DDP wraps it

    def init_weights(self) -> None:
        """Initialise by ``init_cfg``, then load :attr:`pretrained`."""
        super().init_weights()
        if self.pretrained is not None:
            self.load_pretrained(self.pretrained)  # copies into the layout

    def load_pretrained(self, checkpoint: str) -> None:
        """Load backbone, neck and source head from one checkpoint.

        Args:
            checkpoint (str): Path or URL of a mmpretrain checkpoint.

        Raises:
            ValueError: If the checkpoint lacks the source head's weights
                or a weight's shape (e.g. the class count) does not match.
        """
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')
        state = ckpt.get('state_dict', ckpt)
        state = OrderedDict(
            (re.sub(r'^module\.', '', k), v) for k, v in state.items())
        parts = [('backbone.', self.backbone, 'backbone.'),
                 (self.source_head_prefix, self.source_head, 'source_head.')]
        if self.with_neck:
            parts.append(('neck.', self.neck, 'neck.'))
        for prefix, module, name in parts:
            own = module.state_dict()
            given = {
                k[len(prefix):]: v
                for k, v in state.items() if k.startswith(prefix)
            }
            missing = [k for k in own if k not in given]
            if missing and name != 'neck.':
                raise ValueError(
                    f'Checkpoint {checkpoint!r} has no weights for '
                    f'`{name.rstrip(".")}`: keys {prefix}'
                    f'{missing[0]} ... ({len(missing)} missing). '
                    + ('Set `source_head_prefix` to where the source '
                       'classifier is stored.'
                       if name == 'source_head.' else ''))
            for key, value in given.items():
                if key in own and own[key].shape != value.shape:
                    raise ValueError(self._shape_error(
                        checkpoint, name, prefix + key, own[key].shape,
                        value.shape))
            module.load_state_dict(
                {k: v for k, v in given.items() if k in own}, strict=False)
        print_log(f'Loaded backbone and source head from {checkpoint}',
                  logger='current')

    @staticmethod
    def _shape_error(checkpoint, name, key, own_shape, ckpt_shape) -> str:
        msg = (f'`{name}{key.split(".", 1)[-1]}` has shape '
               f'{tuple(own_shape)} but checkpoint {checkpoint!r} key '
               f'`{key}` has shape {tuple(ckpt_shape)}')
        if name == 'source_head.' and len(own_shape) in (1, 2):
            msg += (f': source_head has {own_shape[0]} classes, the '
                    f'checkpoint\'s head has {ckpt_shape[0]}; set '
                    f'`model.source_head.num_classes={ckpt_shape[0]}`')
        return msg

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> dict:
        """Losses of a mixed source/target batch.

        Args:
            inputs (Tensor): Images, shape ``(N, C, H, W)``.
            data_samples (list[DataSample]): Samples with ``gt_label`` and
                ``domain`` metainfo.

        Returns:
            dict[str, Tensor]: ``loss`` (the weighted total),
            ``loss_target`` and ``loss_source``.
        """
        is_source = []
        for sample in data_samples:
            domain = sample.get('domain')  # metainfo, without copying it
            if domain not in ('source', 'target'):
                raise ValueError(
                    'SoftFineTuneClassifier needs every training sample to '
                    'carry `domain` ("source"/"target"): train it on a '
                    f'SourceTargetDataset, but got domain={domain!r}')
            is_source.append(domain == 'source')
        if self.source_weight > 0 and not any(is_source):
            raise ValueError(
                f'The source weight is {self.source_weight} but the batch '
                'holds no source sample: train with '
                "batch_sampler=dict(type='SourceTargetBatchSampler', "
                'source_batch_size=N > 0) (or start_weight=0 for plain '
                'fine-tuning)')
        feats = self.extract_feat(inputs)
        labels = torch.cat([s.gt_label for s in data_samples]).to(
            inputs.device)
        target_feats, source_feats, target_label, source_label = \
            self._split(feats, labels, is_source)
        target_score = self.head(target_feats)
        source_score = None
        if source_feats is not None:
            source_score = self.source_head(source_feats)
        losses = self.loss_module(target_score, target_label, source_score,
                                  source_label, self.source_weight)
        if source_score is None:
            # Keep every parameter in the graph so DDP without
            # find_unused_parameters survives target-only batches.
            losses['loss'] = losses['loss'] + sum(
                p.sum() for p in self.source_head.parameters()) * 0.0
        return losses

    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Target-head predictions (plus ``pred_feat`` if enabled)."""
        feats = self.extract_feat(inputs)
        preds = self.head.predict(feats, data_samples, **kwargs)
        if self.predict_feat:
            pooled = self.head.pre_logits(feats)
            for pred, feat in zip(preds, pooled):
                pred.set_field(feat.detach(), 'pred_feat')
        return preds

    @classmethod
    def _split(cls, feats, labels: torch.Tensor, is_source: List[bool]):
        """Target and source parts of the features and labels.

        :class:`SourceTargetBatchSampler` puts the target samples first, so
        the parts are usually contiguous: then they are views (no copy, and a
        cheaper backward than a gather); otherwise boolean masks select them.
        Returns ``(target_feats, source_feats, target_label, source_label)``,
        the source parts None when the batch holds no source sample.
        """
        num_target = len(is_source) - sum(is_source)
        if not any(is_source[:num_target]):
            parts = [slice(0, num_target), slice(num_target, None)]
        else:
            src = torch.tensor(is_source, device=labels.device)
            parts = [~src, src]
        target, source = (
            (cls._select(feats, part), labels[part]) for part in parts)
        if num_target == len(is_source):
            source = (None, None)
        return target[0], source[0], target[1], source[1]

    @staticmethod
    def _select(feats, part):
        if isinstance(feats, (tuple, list)):
            return type(feats)(f[part] for f in feats)
        return feats[part]

    def parse_losses(self, losses: dict) -> Tuple[torch.Tensor, dict]:
        """Use the ``loss`` entry as the total; log every entry.

        mmengine's default would sum every key containing ``loss``, which
        would count the target and source parts twice.
        """
        log_vars = OrderedDict(
            (name, value.mean()) for name, value in losses.items())
        return log_vars['loss'], log_vars
