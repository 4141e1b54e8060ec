from .channels_last import to_channels_last, use_channels_last
from .pred_feat import PredFeatMixin
from .pretrained_check import check_pretrained, pretrained_checkpoint

__all__ = [
    'PredFeatMixin', 'check_pretrained', 'pretrained_checkpoint',
    'to_channels_last', 'use_channels_last'
]
