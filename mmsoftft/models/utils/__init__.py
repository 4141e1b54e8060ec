from .channels_last import to_channels_last, use_channels_last
from .pretrained_check import check_pretrained, pretrained_checkpoint

__all__ = [
    'check_pretrained', 'pretrained_checkpoint', 'to_channels_last',
    'use_channels_last'
]
