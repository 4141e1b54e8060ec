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
    CoTuningHook,
    FiniteLossHook,
    L2SPHook,
    LinearProbeHook,
    LoaderShutdownHook,
    SkippedImageHook,
    SoftFineTuneHook,
    SourceWeightSchedule,
    allow_checkpoint_globals,
    register_safe_globals,
)
from .evaluation import GeneralDiscriminationMetric
from .models import (
    ChannelsLastImageClassifier,
    CoTuningClassifier,
    CoTuningLoss,
    L2SPClassifier,
    L2SPLoss,
    LPFTClassifier,
    LwFClassifier,
    LwFLoss,
    SoftFineTuneClassifier,
    to_channels_last,
    use_channels_last,
)
from .version import __version__

register_safe_globals()

__all__ = [
    '__version__', 'AmpTestLoop', 'AtomicCheckpointHook',
    'ChannelsLastImageClassifier',
    'CheckedLoadImageFromFile', 'CoTuningClassifier', 'CoTuningHook',
    'CoTuningLoss', 'FiniteLossHook',
    'GeneralDiscriminationMetric', 'IndexPermutation',
    'L2SPClassifier', 'L2SPHook', 'L2SPLoss', 'LPFTClassifier',
    'LinearProbeHook', 'LoaderShutdownHook',
    'LwFClassifier', 'LwFLoss', 'SkippedImageHook', 'SoftFineTuneClassifier',
    'SoftFineTuneHook',
    'SourceTargetBatchSampler', 'SourceTargetDataset', 'SourceWeightSchedule',
    'allow_checkpoint_globals', 'register_safe_globals',
    'silence_known_warnings', 'stack_collate',
    'to_channels_last', 'use_channels_last'
]
