from .soft_finetune_loss import SoftFineTuneLoss, soft_finetune_loss

__all__ = ['SoftFineTuneLoss', 'soft_finetune_loss']
