from .classifiers import ChannelsLastImageClassifier, SoftFineTuneClassifier
from .losses import SoftFineTuneLoss, soft_finetune_loss

__all__ = [
    'ChannelsLastImageClassifier', 'SoftFineTuneClassifier',
    'SoftFineTuneLoss', 'soft_finetune_loss'
]
