from .hooks import AtomicCheckpointHook, SoftFineTuneHook
from .safe_globals import allow_checkpoint_globals, register_safe_globals
from .schedules import SourceWeightSchedule

__all__ = [
    'AtomicCheckpointHook', 'SoftFineTuneHook', 'SourceWeightSchedule',
    'allow_checkpoint_globals', 'register_safe_globals'
]
