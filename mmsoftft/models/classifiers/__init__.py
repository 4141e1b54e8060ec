from .channels_last_classifier import (
    ChannelsLastImageClassifier,
    use_channels_last,
)
from .soft_finetune_classifier import SoftFineTuneClassifier

__all__ = [
    'ChannelsLastImageClassifier', 'SoftFineTuneClassifier',
    'use_channels_last'
]
