from .hooks import (
    AtomicCheckpointHook,
    FiniteLossHook,
    JointTrainingHook,
    L2SPHook,
    LinearProbeHook,
    SkippedImageHook,
    SoftFineTuneHook,
)
from .runner import AmpTestLoop
from .safe_globals import allow_checkpoint_globals, register_safe_globals
from .schedules import SourceWeightSchedule

__all__ = [
    'AmpTestLoop', 'AtomicCheckpointHook', 'FiniteLossHook',
    'JointTrainingHook',
    'L2SPHook', 'LinearProbeHook', 'SkippedImageHook', 'SoftFineTuneHook',
    'SourceWeightSchedule', 'allow_checkpoint_globals',
    'register_safe_globals'
]
