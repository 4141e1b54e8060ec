"""Soft fine-tuning loss: target loss plus a weighted source loss."""
from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS

__all__ = ['soft_finetune_loss', 'SoftFineTuneLoss']


def soft_finetune_loss(loss_target: torch.Tensor, loss_source: torch.Tensor,
                       source_weight: float) -> torch.Tensor:
    """Combine the two losses of soft fine-tuning.

    .. math::

        L = L_{target} + w \\cdot L_{source}

    Args:
        loss_target (Tensor): Scalar loss of the target head.
        loss_source (Tensor): Scalar loss of the source head.
        source_weight (float): The current source weight ``w >= 0``.

    Returns:
        Tensor: The scalar total loss.
    """
    return loss_target + source_weight * loss_source


@MODELS.register_module()
class SoftFineTuneLoss(nn.Module):
    """Target loss plus ``source_weight`` times the source loss.

    Args:
        target_loss (dict): Config of the target head's loss, any mmpretrain
            loss (e.g. ``CrossEntropyLoss`` with label smoothing).
            Defaults to ``dict(type='CrossEntropyLoss')``.
        source_loss (dict): Config of the source head's loss.
            Defaults to ``dict(type='CrossEntropyLoss')``.
    """

    def __init__(self,
                 target_loss: dict = dict(type='CrossEntropyLoss'),
                 source_loss: dict = dict(type='CrossEntropyLoss')):
        super().__init__()
        for key, cfg in (('target_loss', target_loss), ('source_loss',
                                                        source_loss)):
            if not isinstance(cfg, (dict, nn.Module)):
                raise TypeError(f'`{key}` should be a loss config dict or '
                                f'module, but got {type(cfg)}')
        self.target_loss = target_loss if isinstance(
            target_loss, nn.Module) else MODELS.build(target_loss)
        self.source_loss = source_loss if isinstance(
            source_loss, nn.Module) else MODELS.build(source_loss)

    def forward(self, target_score: torch.Tensor, target_label: torch.Tensor,
                source_score: Optional[torch.Tensor],
                source_label: Optional[torch.Tensor],
                source_weight: float) -> dict:
        """Compute the losses of one batch.

        Args:
            target_score (Tensor): Target logits, shape ``(N_t, C_t)``.
            target_label (Tensor): Target labels, shape ``(N_t,)``.
            source_score (Tensor, optional): Source logits, shape
                ``(N_s, C_s)``; None when the batch holds no source sample.
            source_label (Tensor, optional): Source labels, ``(N_s,)``.
            source_weight (float): The current source weight.

        Returns:
            dict[str, Tensor]: ``loss`` (the weighted total), ``loss_target``
            and ``loss_source`` (unweighted; 0 without source samples).
        """
        loss_target = self.target_loss(target_score, target_label)
        if source_score is None:
            loss_source = target_score.new_zeros(())
        else:
            loss_source = self.source_loss(source_score, source_label)
        return dict(
            loss=soft_finetune_loss(loss_target, loss_source, source_weight),
            loss_target=loss_target,
            loss_source=loss_source)
