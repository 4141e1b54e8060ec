from .index_permutation import IndexPermutation
from .source_target_batch_sampler import SourceTargetBatchSampler

__all__ = ['IndexPermutation', 'SourceTargetBatchSampler']
