from .classifiers import (
    ChannelsLastImageClassifier,
    CoTuningClassifier,
    L2SPClassifier,
    LwFClassifier,
    SoftFineTuneClassifier,
)
from .losses import (
    CoTuningLoss,
    L2SPLoss,
    LwFLoss,
    SoftFineTuneLoss,
    co_tuning_loss,
    l2sp_loss,
    lwf_loss,
    rename_loss_dict,
    reweight_loss_dict,
)
from .utils import to_channels_last, use_channels_last

__all__ = [
    'ChannelsLastImageClassifier', 'CoTuningClassifier', 'CoTuningLoss',
    'L2SPClassifier', 'L2SPLoss', 'LwFClassifier', 'LwFLoss',
    'SoftFineTuneClassifier', 'SoftFineTuneLoss', 'co_tuning_loss',
    'l2sp_loss', 'lwf_loss', 'rename_loss_dict', 'reweight_loss_dict',
    'to_channels_last', 'use_channels_last'
]
