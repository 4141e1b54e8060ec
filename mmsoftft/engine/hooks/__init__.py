from .atomic_checkpoint_hook import AtomicCheckpointHook
from .finite_loss_hook import FiniteLossHook
from .skipped_image_hook import SkippedImageHook
from .soft_finetune_hook import SoftFineTuneHook

__all__ = [
    'AtomicCheckpointHook', 'FiniteLossHook', 'SkippedImageHook',
    'SoftFineTuneHook'
]
