from .atomic_checkpoint_hook import AtomicCheckpointHook
from .soft_finetune_hook import SoftFineTuneHook

__all__ = ['AtomicCheckpointHook', 'SoftFineTuneHook']
