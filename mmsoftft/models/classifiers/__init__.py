from .channels_last_classifier import ChannelsLastImageClassifier
from .co_tuning_classifier import CoTuningClassifier
from .l2sp_classifier import L2SPClassifier
from .lpft_classifier import LPFTClassifier
from .lwf_classifier import LwFClassifier
from .soft_finetune_classifier import SoftFineTuneClassifier

__all__ = [
    'ChannelsLastImageClassifier', 'CoTuningClassifier', 'L2SPClassifier',
    'LPFTClassifier', 'LwFClassifier', 'SoftFineTuneClassifier'
]
