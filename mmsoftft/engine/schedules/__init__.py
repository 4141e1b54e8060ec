from .source_weight_schedule import SourceWeightSchedule

__all__ = ['SourceWeightSchedule']
