from .classifiers import (
    ChannelsLastImageClassifier,
    SoftFineTuneClassifier,
    use_channels_last,
)
from .losses import SoftFineTuneLoss, soft_finetune_loss

__all__ = [
    'ChannelsLastImageClassifier', 'SoftFineTuneClassifier',
    'SoftFineTuneLoss', 'soft_finetune_loss', 'use_channels_last'
]
