from .soft_finetune_hook import SoftFineTuneHook

__all__ = ['SoftFineTuneHook']
