from .classifiers import (
    ChannelsLastImageClassifier,
    L2SPClassifier,
    LwFClassifier,
    SoftFineTuneClassifier,
)
from .losses import (
    L2SPLoss,
    LwFLoss,
    SoftFineTuneLoss,
    l2sp_loss,
    lwf_loss,
    rename_loss_dict,
    reweight_loss_dict,
)
from .utils import to_channels_last, use_channels_last

__all__ = [
    'ChannelsLastImageClassifier', 'L2SPClassifier', 'L2SPLoss',
    'LwFClassifier', 'LwFLoss', 'SoftFineTuneClassifier', 'SoftFineTuneLoss',
    'l2sp_loss', 'lwf_loss', 'rename_loss_dict', 'reweight_loss_dict',
    'to_channels_last', 'use_channels_last'
]
