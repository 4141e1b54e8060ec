from .source_weight_schedule import SourceWeightSchedule
from .training_point import UNITS, check_point, to_iters

__all__ = ['SourceWeightSchedule', 'UNITS', 'check_point', 'to_iters']
