from .channels_last_classifier import ChannelsLastImageClassifier
from .soft_finetune_classifier import SoftFineTuneClassifier

__all__ = ['ChannelsLastImageClassifier', 'SoftFineTuneClassifier']
