"""mmsoftft: soft fine-tuning for MMPretrain."""
# First: its filters must be in place before mmpretrain and mmcv import.
from .known_warnings import silence_known_warnings  # isort: split

from .datasets import (
    CheckedLoadImageFromFile,
    IndexPermutation,
    SourceTargetBatchSampler,
    SourceTargetDataset,
    stack_collate,
)
from .engine import (
    AmpTestLoop,
    AtomicCheckpointHook,
    FiniteLossHook,
    JointTrainingHook,
    L2SPHook,
    LinearProbeHook,
    SkippedImageHook,
    SoftFineTuneHook,
    SourceWeightSchedule,
    allow_checkpoint_globals,
    register_safe_globals,
)
from .evaluation import GeneralDiscriminationMetric
from .models import (
    ChannelsLastImageClassifier,
    L2SPClassifier,
    L2SPLoss,
    LwFClassifier,
    LwFLoss,
    SoftFineTuneClassifier,
    SoftFineTuneLoss,
    to_channels_last,
    use_channels_last,
)
from .version import __version__

register_safe_globals()

__all__ = [
    '__version__', 'AmpTestLoop', 'AtomicCheckpointHook',
    'ChannelsLastImageClassifier',
    'CheckedLoadImageFromFile', 'FiniteLossHook',
    'GeneralDiscriminationMetric', 'IndexPermutation', 'JointTrainingHook',
    'L2SPClassifier', 'L2SPHook', 'L2SPLoss', 'LinearProbeHook',
    'LwFClassifier', 'LwFLoss', 'SkippedImageHook', 'SoftFineTuneClassifier',
    'SoftFineTuneHook', 'SoftFineTuneLoss',
    'SourceTargetBatchSampler', 'SourceTargetDataset', 'SourceWeightSchedule',
    'allow_checkpoint_globals', 'register_safe_globals',
    'silence_known_warnings', 'stack_collate',
    'to_channels_last', 'use_channels_last'
]
