from .hooks import AtomicCheckpointHook, SoftFineTuneHook
from .schedules import SourceWeightSchedule

__all__ = ['AtomicCheckpointHook', 'SoftFineTuneHook', 'SourceWeightSchedule']
