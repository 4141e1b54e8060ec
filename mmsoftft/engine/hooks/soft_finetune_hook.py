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

    The hook owns the schedule of soft fine-tuning (and of joint training,
    its ``'constant'`` shape): ``w(t)`` and the iteration from which no
    source image is needed both come from one :class:`SourceWeightSchedule`,
    a pure function of the iteration, so a resumed run continues it exactly
    with no saved state. In ``before_train`` the hook checks the model, the
    loader and the labels of both domains against both heads, refuses a
    decay that would not end within the training, and tells the
    :class:`SourceTargetBatchSampler` once where the source stops: from then
    on batches hold no source sample and nothing more is loaded or
    forwarded. Before every iteration it sets ``model.source_weight``; the
    model refuses to train without it, so a derived config that replaces
    ``custom_hooks`` cannot silently turn soft fine-tuning into joint
    training.

    ``w`` is logged as ``source_weight`` (log line and every visualizer
    backend). Where the source stops, ``loss_source`` leaves the log and
    the smoothed ``loss`` restarts its window, so from then on it shows the
    target loss alone rather than an average that still holds source terms.

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
        """Check model and loader; resolve the schedule in iterations; tell
        the sampler where the source stops."""
        self._check_source_branch(runner)
        sampler = runner.train_dataloader.batch_sampler
        if self.schedule.start_weight > 0 and sampler.source_batch_size == 0:
            raise ValueError(
                f'`start_weight` is {self.schedule.start_weight} but the '
                'batch sampler draws no source sample (source_batch_size=0)'
                ': set `train_dataloader.batch_sampler.source_batch_size` '
                '> 0, or start_weight=0 for plain fine-tuning')
        self.span = self.schedule.span(runner.max_iters,
                                       len(runner.train_dataloader))
        self.stop_iter = self.schedule.stop_iter(self.span[1])
        sampler.set_source_stop_iter(self.stop_iter)
        runner.logger.info(f'SoftFineTuneHook: {self._describe(runner)}')

    def _describe(self, runner) -> str:
        schedule = self.schedule
        if self.stop_iter == 0:
            return 'start_weight=0: plain fine-tuning, no source image is used'
        if self.stop_iter is None:
            return (f'constant source weight {schedule.start_weight} for all '
                    f'{runner.max_iters} iterations (joint training)')
        return (f'source weight {schedule.start_weight} decays '
                f'({schedule.shape}) from iteration {self.span[0]} to 0 at '
                f'iteration {self.span[1]} of {runner.max_iters}; no source '
                'image is loaded from then on')

    def _check_source_branch(self, runner) -> None:
        """Check that the model has a source branch, the loader a
        :class:`SourceTargetBatchSampler`, and every label of both domains
        fits its head."""
        model = get_ori_model(runner.model)
        if not hasattr(model, 'source_weight') or not hasattr(
                model, 'source_head'):
            raise TypeError(
                'SoftFineTuneHook needs a model with a source branch '
                '(e.g. SoftFineTuneClassifier), but got '
                f'{type(model).__name__}')
        loader = runner.train_dataloader
        if not isinstance(loader.batch_sampler, SourceTargetBatchSampler):
            raise TypeError(
                'SoftFineTuneHook needs `train_dataloader.batch_sampler` to '
                'be a SourceTargetBatchSampler, but got '
                f'{type(loader.batch_sampler).__name__}')
        loader.dataset.check_labels(
            getattr(model.head, 'num_classes', None),
            getattr(model.source_head, 'num_classes', None))

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
            # No source loss any more: drop its running average, which would
            # keep showing the last window's values, and restart the total's
            # window once, so that `loss` is the target loss from here on.
            stale = [k for k in hub.log_scalars
                     if k.startswith('train/loss_source')]
            if runner.iter == self.stop_iter:
                stale.append('train/loss')
            for key in stale:
                hub.log_scalars.pop(key, None)
