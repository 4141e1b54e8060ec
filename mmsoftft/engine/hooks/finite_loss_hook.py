"""Stop training at the first non-finite loss."""
import math
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

__all__ = ['FiniteLossHook']


def _as_float(value) -> float:
    """A logged loss as a float (a tensor may still require grad)."""
    if isinstance(value, torch.Tensor):
        return value.detach().item()
    return float(value)


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise at the first NaN or infinite loss, naming it.

    Checks every logged loss (each key containing ``loss``) after each
    iteration, before the checkpoint hook (priority ``VERY_LOW``) could save
    the bad weights. The error names the loss, the iteration, the source
    weight (when a :class:`SoftFineTuneHook` logs one) and the last good
    checkpoint, the one to resume from.

    Why not mmdet's ``CheckInvalidLossHook``: it checks the total loss only
    every ``interval`` (50) iterations, so a checkpoint of NaN weights can
    be saved in between; it checks with ``assert``, which ``python -O``
    removes; and its message names neither the loss part, nor the
    iteration, nor the checkpoint to resume from. This hook checks every
    iteration and every part, and raises ``FloatingPointError``.
    """

    priority = 'NORMAL'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Raise ``FloatingPointError`` on a non-finite loss."""
        outputs = outputs or {}
        # the parts first: name the culprit, not the total
        for key in sorted(outputs, key=lambda k: k == 'loss'):
            if 'loss' not in key:
                continue
            value = _as_float(outputs[key])
            if not math.isfinite(value):
                hub = runner.message_hub
                weight = ''
                if 'train/source_weight' in hub.log_scalars:
                    current = hub.get_scalar('train/source_weight').current()
                    weight = f', source weight {current:.4g}'
                last = hub.get_info('last_ckpt')
                raise FloatingPointError(
                    f'{key} is {value} at iteration {runner.iter} '
                    f'(epoch {runner.epoch}{weight}): training stopped. '
                    f'Last good checkpoint: {last or "none saved yet"}')
