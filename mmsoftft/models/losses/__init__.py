from .l2sp_loss import L2SPLoss, l2sp_loss
from .lwf_loss import LwFLoss, lwf_loss
from .soft_finetune_loss import (
    SoftFineTuneLoss,
    rename_loss_dict,
    reweight_loss_dict,
)

__all__ = [
    'L2SPLoss', 'LwFLoss', 'SoftFineTuneLoss', 'l2sp_loss', 'lwf_loss',
    'rename_loss_dict', 'reweight_loss_dict'
]
