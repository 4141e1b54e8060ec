from .soft_finetune_loss import (
    SoftFineTuneLoss,
    rename_loss_dict,
    reweight_loss_dict,
)

__all__ = ['SoftFineTuneLoss', 'rename_loss_dict', 'reweight_loss_dict']
