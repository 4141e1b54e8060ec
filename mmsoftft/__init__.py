"""mmsoftft: soft fine-tuning for MMPretrain."""
from .datasets import (
    CheckedLoadImageFromFile,
    IndexPermutation,
    SourceTargetBatchSampler,
    SourceTargetDataset,
    stack_collate,
)
from .engine import (
    AtomicCheckpointHook,
    FiniteLossHook,
    SkippedImageHook,
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
    to_channels_last,
    use_channels_last,
)
from .version import __version__

register_safe_globals()

__all__ = [
    '__version__', 'AtomicCheckpointHook', 'ChannelsLastImageClassifier',
    'CheckedLoadImageFromFile', 'FiniteLossHook',
    'GeneralDiscriminationMetric', 'IndexPermutation', 'SkippedImageHook',
    'SoftFineTuneClassifier', 'SoftFineTuneHook', 'SoftFineTuneLoss',
    'SourceTargetBatchSampler', 'SourceTargetDataset', 'SourceWeightSchedule',
    'allow_checkpoint_globals', 'register_safe_globals', 'stack_collate',
    'to_channels_last', 'use_channels_last'
]
