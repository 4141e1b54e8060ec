from .hooks import SoftFineTuneHook
from .schedules import SourceWeightSchedule

__all__ = ['SoftFineTuneHook', 'SourceWeightSchedule']
