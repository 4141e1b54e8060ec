from .classifiers import SoftFineTuneClassifier
from .losses import SoftFineTuneLoss, soft_finetune_loss

__all__ = ['SoftFineTuneClassifier', 'SoftFineTuneLoss', 'soft_finetune_loss']
