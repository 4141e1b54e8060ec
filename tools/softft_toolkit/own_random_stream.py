"""A transform wrapper whose random augmentations use their own stream."""
import os
import random
from typing import List, Optional

import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmengine.dist import get_dist_info
from mmpretrain.registry import TRANSFORMS

__all__ = ['OwnRandomStream']


@TRANSFORMS.register_module()
class OwnRandomStream(BaseTransform):
    """Run ``transforms`` on their own NumPy and Python random streams.

    mmcv's random transforms (``RandomCrop``, ``RandomFlip``...) draw from
    the process-global ``np.random`` / ``random``. A loader that prepares
    target and source samples in one process therefore makes the target
    images' augmentations depend on how many source images came before
    them, so soft fine-tuning would see other target crops than plain
    fine-tuning on the same target batches. Wrapping the *source* pipeline
    in this transform leaves the global streams, and so the target
    augmentations, exactly as in a run without source images; the source
    images get the same kind of augmentation from a stream of their own.

    Each process (the main one, or a loader worker, whose copy of the
    dataset starts afresh) starts the stream from ``seed``, its rank and
    its worker id; around every call the global states are saved and
    restored.

    Args:
        transforms (list[dict]): The wrapped pipeline.
        seed (int): Seed of the stream. Defaults to 0.
    """

    def __init__(self, transforms: List[dict], seed: int = 0):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError('`transforms` should be a list of transform '
                            f'configs, but got {type(transforms).__name__}')
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f'`seed` should be an int, but got {seed!r}')
        self.transforms = Compose(list(transforms))
        self.seed = seed
        self._owner: Optional[int] = None
        self._np_state = None
        self._py_state = None

    def _start(self) -> None:
        import torch.utils.data
        info = torch.utils.data.get_worker_info()
        worker = 0 if info is None else info.id + 1
        rank, _ = get_dist_info()
        seed = (self.seed * 1_000_003 + rank * 1009 + worker) % 2**32
        self._np_state = np.random.RandomState(seed).get_state()
        self._py_state = random.Random(seed).getstate()
        self._owner = os.getpid()

    def transform(self, results: dict) -> Optional[dict]:
        """Apply the wrapped pipeline with the own streams swapped in."""
        if self._owner != os.getpid():
            self._start()
        saved_np, saved_py = np.random.get_state(), random.getstate()
        np.random.set_state(self._np_state)
        random.setstate(self._py_state)
        try:
            return self.transforms(results)
        finally:
            self._np_state, self._py_state = (np.random.get_state(),
                                              random.getstate())
            np.random.set_state(saved_np)
            random.setstate(saved_py)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(seed={self.seed}, '
                f'transforms={self.transforms!r})')
