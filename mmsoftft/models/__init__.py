from .classifiers import (
    ChannelsLastImageClassifier,
    CoTuningClassifier,
    L2SPClassifier,
    LPFTClassifier,
    LwFClassifier,
    SoftFineTuneClassifier,
)
from .losses import (
    CoTuningLoss,
    L2SPLoss,
    LwFLoss,
    co_tuning_loss,
    l2sp_loss,
    lwf_loss,
)
from .utils import (
    SourceTargetDataPreprocessor,
    domain_loss_dict,
    reweight_loss_dict,
    to_channels_last,
    use_channels_last,
)

__all__ = [
    'ChannelsLastImageClassifier', 'CoTuningClassifier', 'CoTuningLoss',
    'L2SPClassifier', 'L2SPLoss', 'LPFTClassifier', 'LwFClassifier',
    'LwFLoss', 'SoftFineTuneClassifier', 'SourceTargetDataPreprocessor',
    'co_tuning_loss', 'domain_loss_dict', 'l2sp_loss', 'lwf_loss',
    'reweight_loss_dict', 'to_channels_last', 'use_channels_last'
]
