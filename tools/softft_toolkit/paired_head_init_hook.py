"""Hook that draws the new head's initial weights from a stream of its
own, so every method of a seed starts from the same head."""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

__all__ = ['PairedHeadInitHook']


@HOOKS.register_module()
class PairedHeadInitHook(Hook):
    """Re-initialise ``model.head`` from the seed alone before training.

    The Runner seeds torch once and then builds the model, so the draws of
    the new head depend on what was built before it: a model with a
    retained source head (soft fine-tuning, joint training, LwF) starts,
    for the same seed, from another target head than plain fine-tuning.
    This hook runs the head's own ``init_weights`` (its configured
    initialisation, e.g. ``Normal(std=0.01)`` of ``LinearClsHead``) again
    inside :func:`torch.random.fork_rng` seeded with ``seed``, so the head
    is a function of the seed only and the global stream is left as it
    was. A head loaded from a checkpoint (``Pretrained`` init_cfg) is
    refused: re-drawing it would discard the loaded weights.

    Args:
        seed (int, optional): Seed of the head's weights. Defaults to None,
            the runner's seed (``randomness.seed``).
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed: Optional[int] = None):
        if seed is not None and (isinstance(seed, bool)
                                 or not isinstance(seed, int)):
            raise TypeError(f'`seed` should be an int or None, but got '
                            f'{seed!r}')
        self.seed = seed

    def before_train(self, runner) -> None:
        """Draw the head again from the seed's own stream."""
        head = get_ori_model(runner.model).head
        init_cfg = getattr(head, 'init_cfg', None) or {}
        types = [c.get('type') for c in (
            init_cfg if isinstance(init_cfg, list) else [init_cfg])]
        if 'Pretrained' in types:
            raise ValueError('PairedHeadInitHook re-draws a new head, but '
                             f'`model.head` is loaded: init_cfg={init_cfg}')
        seed = runner.seed if self.seed is None else self.seed
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            head._is_init = False
            head.init_weights()
