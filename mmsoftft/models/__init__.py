from .classifiers import ChannelsLastImageClassifier, SoftFineTuneClassifier
from .losses import SoftFineTuneLoss, rename_loss_dict, reweight_loss_dict
from .utils import to_channels_last, use_channels_last

__all__ = [
    'ChannelsLastImageClassifier', 'SoftFineTuneClassifier',
    'SoftFineTuneLoss', 'rename_loss_dict', 'reweight_loss_dict',
    'to_channels_last', 'use_channels_last'
]
