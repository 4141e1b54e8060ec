from .collate import stack_collate
from .samplers import IndexPermutation, SourceTargetBatchSampler
from .source_target_dataset import SourceTargetDataset
from .transforms import CheckedLoadImageFromFile

__all__ = [
    'CheckedLoadImageFromFile', 'IndexPermutation',
    'SourceTargetBatchSampler', 'SourceTargetDataset', 'stack_collate'
]
