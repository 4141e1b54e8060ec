from .l2sp_loss import L2SPLoss, l2sp_loss
from .lwf_loss import LwFLoss, lwf_loss

__all__ = ['L2SPLoss', 'LwFLoss', 'l2sp_loss', 'lwf_loss']
