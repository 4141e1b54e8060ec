"""mmsoftft: soft fine-tuning for MMPretrain."""
from .datasets import (
    IndexPermutation,
    SourceTargetBatchSampler,
    SourceTargetDataset,
    stack_collate,
)
from .engine import (
    AtomicCheckpointHook,
    SoftFineTuneHook,
    SourceWeightSchedule,
    allow_checkpoint_globals,
    register_safe_globals,
)
from .evaluation import GeneralDiscriminationMetric
from .models import (
    ChannelsLastImageClassifier,
    SoftFineTuneClassifier,
    SoftFineTuneLoss,
)
from .version import __version__

register_safe_globals()

__all__ = [
    '__version__', 'AtomicCheckpointHook', 'ChannelsLastImageClassifier',
    'GeneralDiscriminationMetric', 'IndexPermutation',
    'SoftFineTuneClassifier', 'SoftFineTuneHook', 'SoftFineTuneLoss',
    'SourceTargetBatchSampler', 'SourceTargetDataset', 'SourceWeightSchedule',
    'allow_checkpoint_globals', 'register_safe_globals', 'stack_collate'
]
