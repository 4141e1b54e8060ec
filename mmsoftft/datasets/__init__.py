from .collate import stack_collate
from .samplers import IndexPermutation, SourceTargetBatchSampler
from .source_target_dataset import SourceTargetDataset

__all__ = [
    'IndexPermutation', 'SourceTargetBatchSampler', 'SourceTargetDataset',
    'stack_collate'
]
