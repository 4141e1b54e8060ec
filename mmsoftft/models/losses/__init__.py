from .co_tuning_loss import CoTuningLoss, co_tuning_loss
from .l2sp_loss import L2SPLoss, l2sp_loss
from .lwf_loss import LwFLoss, lwf_loss

__all__ = [
    'CoTuningLoss', 'L2SPLoss', 'LwFLoss', 'co_tuning_loss', 'l2sp_loss',
    'lwf_loss'
]
