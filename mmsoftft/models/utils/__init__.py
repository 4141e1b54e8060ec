from .channels_last import to_channels_last, use_channels_last
from .loss_dict import domain_loss_dict, reweight_loss_dict
from .pred_feat import PredFeatMixin
from .pretrained_check import check_pretrained, pretrained_checkpoint
from .required_hook import missing_hook_error

__all__ = [
    'PredFeatMixin', 'check_pretrained', 'domain_loss_dict',
    'missing_hook_error', 'pretrained_checkpoint', 'reweight_loss_dict',
    'to_channels_last', 'use_channels_last'
]
