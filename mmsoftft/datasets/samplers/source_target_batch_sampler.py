"""Batches of target samples plus extra source samples."""
import math
from typing import Iterator, List, Optional

import numpy as np
from mmengine.dist import get_dist_info
from mmpretrain.registry import DATA_SAMPLERS
from torch.utils.data import BatchSampler, Sampler

from ..source_target_dataset import SourceTargetDataset
from .index_permutation import IndexPermutation

__all__ = ['SourceTargetBatchSampler']


@DATA_SAMPLERS.register_module()
class SourceTargetBatchSampler(BatchSampler):
    """Each batch: ``batch_size`` target plus ``source_batch_size`` source.

    Use it as the dataloader's ``batch_sampler`` over a
    :class:`SourceTargetDataset`. The target indices come from ``sampler``
    (the runner's ``DefaultSampler``: shuffled, seeded by epoch, split
    between ranks), grouped exactly like a plain ``BatchSampler`` would, so
    soft and plain fine-tuning see the same target batches. Source samples
    are *extra*.

    The source stream is one seeded permutation of the source set per pass
    ("cycle"), read in order across epochs: the ``k``-th source sample of
    batch ``b`` of epoch ``e`` on rank ``r`` of ``W`` takes stream position
    ``((e * len(self) + b) * W + r) * source_batch_size + k``. So no source
    image repeats before the source set is used up, ranks never share one,
    and the batches are a pure function of ``(seed, epoch)``: a resumed run
    draws the same ones. The permutation is computed, never stored
    (:class:`IndexPermutation`), so memory does not grow with the source.

    From iteration :attr:`source_stop_iter` on (set by
    :class:`SoftFineTuneHook` to where the source weight reaches 0), batches
    hold target samples only: no source image is loaded any more.

    Args:
        sampler (Sampler): Sampler of target indices whose ``dataset`` is a
            :class:`SourceTargetDataset`; given by the runner.
        batch_size (int): Target samples per batch; given by the runner
            from the dataloader's ``batch_size``.
        source_batch_size (int): Source samples per batch. Defaults to 8.
        drop_last (bool): Drop the last incomplete target batch, as in
            ``torch.utils.data.BatchSampler``. Defaults to False.
        seed (int, optional): Seed of the source stream. Defaults to None,
            which uses ``sampler.seed`` (the runner's seed).
    """

    def __init__(self,
                 sampler: Sampler,
                 batch_size: int,
                 source_batch_size: int = 8,
                 drop_last: bool = False,
                 seed: Optional[int] = None):
        for key, value, low in (('batch_size', batch_size, 1),
                                ('source_batch_size', source_batch_size, 0)):
            if isinstance(value, bool) or not isinstance(value, int) \
                    or value < low:
                raise ValueError(f'`{key}` should be an int >= {low}, but '
                                 f'got {value!r}')
        dataset = getattr(sampler, 'dataset', None)
        if not isinstance(dataset, SourceTargetDataset):
            raise TypeError(
                'SourceTargetBatchSampler needs the train dataloader\'s '
                '`dataset` to be a SourceTargetDataset, but got '
                f'{type(dataset).__name__}')
        if not hasattr(sampler, '__len__'):
            raise TypeError('SourceTargetBatchSampler needs a sampler of '
                            'finite length (e.g. DefaultSampler with an '
                            'epoch-based loop), but got '
                            f'{type(sampler).__name__}')
        super().__init__(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.source_batch_size = source_batch_size
        seed = getattr(sampler, 'seed', 0) if seed is None else seed
        self.seed = 0 if seed is None else int(seed)
        self.rank, self.world_size = get_dist_info()
        self.source_stop_iter: Optional[int] = None
        self._perms = {}

    def set_source_stop_iter(self, stop_iter: Optional[int]) -> None:
        """Draw source samples only for iterations ``< stop_iter``.

        Args:
            stop_iter (int, optional): The first iteration without source
                samples; None draws them for the whole training.
        """
        self.source_stop_iter = stop_iter

    @property
    def epoch(self) -> int:
        """The epoch, as set on ``sampler`` by the training loop."""
        return getattr(self.sampler, 'epoch', 0)

    def _permutation(self, cycle: int) -> IndexPermutation:
        # Only the current cycle (or two, at a boundary) is ever needed.
        if cycle not in self._perms:
            self._perms = {
                c: p
                for c, p in self._perms.items() if c >= cycle - 1
            }
            self._perms[cycle] = IndexPermutation(
                self.dataset.num_source, self.seed * 1_000_003 + cycle)
        return self._perms[cycle]

    def source_indices(self, iteration: int) -> List[int]:
        """Global dataset indices of this rank's source samples.

        Args:
            iteration (int): Global 0-based training iteration
                (``epoch * len(self) + batch``).

        Returns:
            list[int]: ``source_batch_size`` indices into the
            :class:`SourceTargetDataset` (all ``>= len(target)``), or an
            empty list from :attr:`source_stop_iter` on.
        """
        if self.source_batch_size == 0 or (
                self.source_stop_iter is not None
                and iteration >= self.source_stop_iter):
            return []
        start = (iteration * self.world_size +
                 self.rank) * self.source_batch_size
        positions = np.arange(start, start + self.source_batch_size)
        num_source = self.dataset.num_source
        cycles, offsets = positions // num_source, positions % num_source
        local = np.empty_like(positions)
        for cycle in np.unique(cycles):
            mask = cycles == cycle
            local[mask] = self._permutation(int(cycle))(offsets[mask])
        return [self.dataset.source_index(int(i)) for i in local]

    def __iter__(self) -> Iterator[List[int]]:
        first_iter = self.epoch * len(self)
        batch: List[int] = []
        batch_idx = 0
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch + self.source_indices(first_iter + batch_idx)
                batch_idx += 1
                batch = []
        if batch and not self.drop_last:
            yield batch + self.source_indices(first_iter + batch_idx)

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return math.ceil(len(self.sampler) / self.batch_size)
