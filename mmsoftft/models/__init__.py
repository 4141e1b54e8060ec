from .classifiers import (
    ChannelsLastImageClassifier,
    L2SPClassifier,
    LPFTClassifier,
    LwFClassifier,
    SoftFineTuneClassifier,
)
from .losses import L2SPLoss, LwFLoss, l2sp_loss, lwf_loss
from .utils import (
    SourceTargetDataPreprocessor,
    domain_loss_dict,
    reweight_loss_dict,
    to_channels_last,
    use_channels_last,
)

__all__ = [
    'ChannelsLastImageClassifier', 'L2SPClassifier', 'L2SPLoss',
    'LPFTClassifier',
    'LwFClassifier', 'LwFLoss', 'SoftFineTuneClassifier',
    'SourceTargetDataPreprocessor', 'domain_loss_dict',
    'l2sp_loss', 'lwf_loss', 'reweight_loss_dict', 'to_channels_last',
    'use_channels_last'
]
