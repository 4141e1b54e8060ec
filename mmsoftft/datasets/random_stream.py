"""Random streams of their own for NumPy and Python's ``random``."""
import os
import random

import numpy as np
import torch

__all__ = ['RandomStream']


class RandomStream:
    """Context manager: code inside draws from its own random streams.

    mmcv's random transforms (``RandomCrop``, ``RandomFlip``, ...) draw from
    the process-global ``np.random`` and ``random``. A loader process that
    prepares target and source samples would otherwise make each target
    image's augmentation depend on how many source images came before it,
    so soft fine-tuning would see other target crops than plain fine-tuning
    on the same target batches. Inside this context the global states are
    swapped for the stream's own and restored on exit.

    Each process (the main one or a loader worker, whose copy starts
    afresh) starts the stream from ``seed`` and ``torch.initial_seed()``,
    which mmengine/torch set per run, rank and worker; reading it draws
    nothing.

    Args:
        seed (int): Mixed into the stream's seed. Defaults to 0.
    """

    def __init__(self, seed: int = 0):
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f'`seed` should be an int, but got {seed!r}')
        self.seed = seed
        self._owner = None
        self._own = None
        self._saved = None

    def _start(self) -> None:
        seed = (self.seed * 1_000_003 + torch.initial_seed()) % 2**32
        self._own = (np.random.RandomState(seed).get_state(),
                     random.Random(seed).getstate())
        self._owner = os.getpid()

    def __enter__(self) -> 'RandomStream':
        if self._owner != os.getpid():
            self._start()
        self._saved = (np.random.get_state(), random.getstate())
        np.random.set_state(self._own[0])
        random.setstate(self._own[1])
        return self

    def __exit__(self, *exc) -> None:
        self._own = (np.random.get_state(), random.getstate())
        np.random.set_state(self._saved[0])
        random.setstate(self._saved[1])
