"""Soft fine-tuning loss: the target head's losses plus the source head's,
scaled by the source weight."""
from typing import Optional

import torch.nn as nn
from mmpretrain.registry import MODELS

__all__ = ['rename_loss_dict', 'reweight_loss_dict', 'SoftFineTuneLoss']


def rename_loss_dict(losses: dict, domain: str) -> dict:
    """Tag a head's outputs with its domain: ``loss`` becomes
    ``loss_<domain>``, ``loss_cls`` ``loss_<domain>_cls``, any other key
    ``<key>_<domain>``."""
    return {(f'loss_{domain}{key[4:]}' if key.startswith('loss') else
             f'{key}_{domain}'): value
            for key, value in losses.items()}


def reweight_loss_dict(losses: dict, weight: float) -> dict:
    """Scale every loss (a key containing ``loss``, the ones mmengine sums)
    by ``weight``; other entries (e.g. accuracy) are kept as they are."""
    return {
        key: value * weight if 'loss' in key else value
        for key, value in losses.items()
    }


@MODELS.register_module()
class SoftFineTuneLoss(nn.Module):
    """Combine the two heads' losses of soft fine-tuning.

    .. math::

        L = L_{target} + w \\cdot L_{source}

    Each head computes its losses from its own ``loss`` config (label
    smoothing, loss weights, ...); this module renames them ``loss_target*``
    and ``loss_source*`` and scales the source part by the current source
    weight ``w``, as mmdet's semi-supervised detectors do with
    ``rename_loss_dict`` / ``reweight_loss_dict``. MMEngine's
    ``parse_losses`` then sums them into ``loss`` and logs each part as
    it enters the total.
    """

    def forward(self, target_losses: dict, source_losses: Optional[dict],
                source_weight: float) -> dict:
        """Combine the losses of one batch.

        Args:
            target_losses (dict): The target head's ``loss()`` output.
            source_losses (dict, optional): The source head's ``loss()``
                output; None when the batch holds no source sample.
            source_weight (float): The current source weight ``w``.

        Returns:
            dict[str, Tensor]: ``loss_target*`` and ``loss_source*`` (the
            latter times ``w``, absent without source samples).

        Raises:
            ValueError: If ``w`` > 0 but the batch holds no source sample
                (the loader does not draw them).
        """
        losses = rename_loss_dict(target_losses, 'target')
        if source_losses is None:
            if source_weight > 0:
                raise ValueError(
                    f'The source weight is {source_weight} but the batch '
                    'holds no source sample: train with '
                    "batch_sampler=dict(type='SourceTargetBatchSampler', "
                    'source_batch_size=N > 0) (or start_weight=0 for plain '
                    'fine-tuning)')
            return losses
        losses.update(
            rename_loss_dict(
                reweight_loss_dict(source_losses, source_weight), 'source'))
        return losses
