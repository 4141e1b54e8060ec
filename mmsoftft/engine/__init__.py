from .hooks import (
    AtomicCheckpointHook,
    CoTuningHook,
    FiniteLossHook,
    L2SPHook,
    LinearProbeHook,
    SkippedImageHook,
    SoftFineTuneHook,
)
from .safe_globals import allow_checkpoint_globals, register_safe_globals
from .schedules import SourceWeightSchedule

__all__ = [
    'AtomicCheckpointHook', 'CoTuningHook', 'FiniteLossHook', 'L2SPHook',
    'LinearProbeHook', 'SkippedImageHook', 'SoftFineTuneHook',
    'SourceWeightSchedule', 'allow_checkpoint_globals',
    'register_safe_globals'
]
