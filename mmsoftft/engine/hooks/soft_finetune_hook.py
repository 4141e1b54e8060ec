"""Hook that softly decays the source loss weight to zero."""
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from ...datasets import SourceTargetBatchSampler
from ..schedules import SourceWeightSchedule

__all__ = ['SoftFineTuneHook']


@HOOKS.register_module()
class SoftFineTuneHook(Hook):
    """Set the model's source weight ``w(t)`` before every iteration.

    ``w(t)`` comes from one :class:`SourceWeightSchedule`, a pure function
    of the iteration, so a resumed run continues it exactly with no saved
    state. It is logged as ``source_weight`` (log line and every visualizer
    backend). In ``before_train`` the hook checks the model and the loader,
    checks the labels of both domains against both heads, and tells the
    :class:`SourceTargetBatchSampler` once where ``w`` reaches 0: from then
    on batches hold no source sample, nothing more is loaded or forwarded,
    and ``loss_source`` leaves the log.

    Args:
        **schedule: The :class:`SourceWeightSchedule` arguments
            (``start_weight``, ``decay_begin``, ``decay_end``, ``unit``,
            ``shape``, ``num_steps``, ``exp_rate``), checked there.
    """

    priority = 'NORMAL'

    def __init__(self, **schedule):
        self.schedule = SourceWeightSchedule(**schedule)
        self.span: Optional[tuple] = None
        self.stop_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        """Check model and loader, resolve the schedule in iterations."""
        loader = self.check_source_branch(runner)
        self.span = self.schedule.to_iters(runner.max_iters, len(loader))
        self.stop_iter = self.schedule.stop_iter(*self.span)
        loader.batch_sampler.set_source_stop_iter(self.stop_iter)
        if self.stop_iter == 0:
            msg = 'start_weight=0: plain fine-tuning, no source image is used'
        else:
            msg = (f'source weight {self.schedule.start_weight} decays '
                   f'({self.schedule.shape}) from iteration {self.span[0]} '
                   f'to 0 at iteration {self.span[1]} of {runner.max_iters}')
        runner.logger.info(f'SoftFineTuneHook: {msg}')

    def check_source_branch(self, runner):
        """Check that the model has a source branch, the loader a
        :class:`SourceTargetBatchSampler`, and every label of both domains
        fits its head.

        Returns:
            DataLoader: The train loader.
        """
        name = type(self).__name__
        model = get_ori_model(runner.model)
        if not hasattr(model, 'source_weight') or not hasattr(
                model, 'source_head'):
            raise TypeError(
                f'{name} needs a model with a source branch '
                '(e.g. SoftFineTuneClassifier), but got '
                f'{type(model).__name__}')
        loader = runner.train_dataloader
        if not isinstance(loader.batch_sampler, SourceTargetBatchSampler):
            raise TypeError(
                f'{name} needs `train_dataloader.batch_sampler` to '
                'be a SourceTargetBatchSampler, but got '
                f'{type(loader.batch_sampler).__name__}')
        loader.dataset.check_labels(
            getattr(model.head, 'num_classes', None),
            getattr(model.source_head, 'num_classes', None))
        return loader

    def weight(self, iteration: int) -> float:
        """The source weight at a 0-based iteration (after before_train)."""
        return self.schedule.weight(iteration, *self.span)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set and log ``w`` for the iteration about to run."""
        weight = self.weight(runner.iter)
        get_ori_model(runner.model).source_weight = weight
        hub = runner.message_hub
        hub.update_scalar('train/source_weight', weight)
        if self.stop_iter is not None and runner.iter >= self.stop_iter:
            # No source loss any more: drop its running average, which
            # would otherwise keep showing the last window's values.
            for key in [k for k in hub.log_scalars
                        if k.startswith('train/loss_source')]:
                hub.log_scalars.pop(key)
