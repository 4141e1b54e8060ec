from .channels_last import to_channels_last, use_channels_last
from .frozen_running_stats import frozen_running_stats
from .loss_dict import domain_loss_dict, reweight_loss_dict
from .pred_feat import PredFeatMixin
from .pretrained_check import check_pretrained, pretrained_checkpoint
from .required_hook import missing_hook_error
from .source_target_data_preprocessor import SourceTargetDataPreprocessor

__all__ = [
    'PredFeatMixin', 'SourceTargetDataPreprocessor', 'check_pretrained',
    'domain_loss_dict', 'frozen_running_stats', 'missing_hook_error',
    'pretrained_checkpoint', 'reweight_loss_dict', 'to_channels_last',
    'use_channels_last'
]
