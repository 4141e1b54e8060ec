from .classifiers import (
    ChannelsLastImageClassifier,
    L2SPClassifier,
    LwFClassifier,
    SoftFineTuneClassifier,
)
from .losses import SoftFineTuneLoss, rename_loss_dict, reweight_loss_dict
from .losses.l2sp_loss import L2SPLoss, l2sp_loss
from .losses.lwf_loss import LwFLoss, lwf_loss
from .utils import to_channels_last, use_channels_last

__all__ = [
    'ChannelsLastImageClassifier', 'L2SPClassifier', 'L2SPLoss',
    'LwFClassifier', 'LwFLoss', 'SoftFineTuneClassifier', 'SoftFineTuneLoss',
    'l2sp_loss', 'lwf_loss', 'rename_loss_dict', 'reweight_loss_dict',
    'to_channels_last', 'use_channels_last'
]
