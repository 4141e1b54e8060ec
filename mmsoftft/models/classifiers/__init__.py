from .soft_finetune_classifier import SoftFineTuneClassifier

__all__ = ['SoftFineTuneClassifier']
