"""Log how many unreadable training images were replaced."""
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

__all__ = ['SkippedImageHook']


@HOOKS.register_module()
class SkippedImageHook(Hook):
    """Log ``skipped_files``, the running count of unreadable images.

    :class:`SourceTargetDataset` replaces a sample whose image cannot be
    read by another of the same domain and records the skipped paths in the
    data sample (``skipped_files``); this hook adds them up, so the count
    reaches the log line and every visualizer backend.
    """

    priority = 'NORMAL'

    def __init__(self):
        self.skipped_files = 0

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Add this batch's skipped files to the count and log it."""
        for sample in (data_batch or {}).get('data_samples', []):
            self.skipped_files += len(sample.get('skipped_files', ()))
        runner.message_hub.update_scalar('train/skipped_files',
                                         self.skipped_files)
