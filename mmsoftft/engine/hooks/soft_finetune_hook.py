"""Hook that softly decays the source loss weight to zero."""
import math
from typing import Optional, Union

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from ...datasets import SourceTargetBatchSampler, SourceTargetDataset
from ..schedules import SourceWeightSchedule

__all__ = ['SoftFineTuneHook']


@HOOKS.register_module()
class SoftFineTuneHook(Hook):
    """Set the model's source weight ``w(t)`` before every iteration.

    ``w(t)`` is a pure function of the iteration and the arguments below
    (see :class:`SourceWeightSchedule`), so a resumed run continues it
    exactly with no saved state. It is logged as ``source_weight`` through
    the message hub: it appears in the log line and in every configured
    visualizer backend (e.g. TensorBoard). Before training the hook tells the
    :class:`SourceTargetBatchSampler` where ``w`` reaches 0, so from then on
    batches hold no source sample: nothing more is loaded or forwarded.

    It also guards the run: a non-finite ``loss_target`` or ``loss_source``
    stops training with an error naming the iteration and the loss, before
    any checkpoint of the bad weights is written; and it logs
    ``skipped_files``, the running count of unreadable images that
    :class:`SourceTargetDataset` replaced.

    Args:
        start_weight (float): Weight before the decay. 0 gives plain
            fine-tuning on the same runner and batches. Defaults to 1.0.
        decay_begin (int | float): Where the decay begins, in ``unit``.
            Defaults to 0.
        decay_end (int | float): Where ``w`` reaches exactly 0, in ``unit``.
            Defaults to 0.25 (chosen by the README's ablation).
        unit (str): ``'iter'``, ``'epoch'`` or ``'fraction'`` of training.
            Defaults to ``'fraction'``.
        shape (str): ``'linear'``, ``'cosine'``, ``'exp'`` or ``'step'``.
            Defaults to ``'cosine'``.
        num_steps (int): Drops of the ``step`` shape. Defaults to 4.
        exp_rate (float): Rate of the ``exp`` shape. Defaults to 5.0.
    """

    priority = 'NORMAL'

    def __init__(self,
                 start_weight: float = 1.0,
                 decay_begin: Union[int, float] = 0,
                 decay_end: Union[int, float] = 0.25,
                 unit: str = 'fraction',
                 shape: str = 'cosine',
                 num_steps: int = 4,
                 exp_rate: float = 5.0):
        self.schedule = SourceWeightSchedule(
            start_weight=start_weight,
            decay_begin=decay_begin,
            decay_end=decay_end,
            unit=unit,
            shape=shape,
            num_steps=num_steps,
            exp_rate=exp_rate)
        self.begin_iter: Optional[int] = None
        self.end_iter: Optional[int] = None
        self.skipped_files = 0

    def before_train(self, runner) -> None:
        """Check the model and loader, resolve the schedule in iterations."""
        model = get_ori_model(runner.model)
        if not hasattr(model, 'source_weight') or not hasattr(
                model, 'source_head'):
            raise TypeError(
                'SoftFineTuneHook needs a model with a source branch '
                '(e.g. SoftFineTuneClassifier), but got '
                f'{type(model).__name__}')
        loader = runner.train_dataloader
        if not isinstance(loader.dataset, SourceTargetDataset):
            raise TypeError(
                'SoftFineTuneHook needs `train_dataloader.dataset` to be a '
                'SourceTargetDataset, but got '
                f'{type(loader.dataset).__name__}')
        batch_sampler = loader.batch_sampler
        if not isinstance(batch_sampler, SourceTargetBatchSampler):
            raise TypeError(
                'SoftFineTuneHook needs `train_dataloader.batch_sampler` to '
                'be a SourceTargetBatchSampler, but got '
                f'{type(batch_sampler).__name__}')
        self.begin_iter, self.end_iter = self.schedule.to_iters(
            runner.max_iters, len(runner.train_dataloader))
        batch_sampler.set_source_stop_iter(
            self.schedule.stop_iter(self.begin_iter, self.end_iter))
        runner.logger.info(
            f'SoftFineTuneHook: source weight {self.schedule.start_weight} '
            f'decays ({self.schedule.shape}) from iteration '
            f'{self.begin_iter} to 0 at iteration {self.end_iter} of '
            f'{runner.max_iters}')

    def weight(self, iteration: int) -> float:
        """The source weight at a 0-based iteration (after before_train)."""
        return self.schedule.weight(iteration, self.begin_iter, self.end_iter)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set and log ``w`` for the iteration about to run."""
        weight = self.weight(runner.iter)
        get_ori_model(runner.model).source_weight = weight
        runner.message_hub.update_scalar('train/source_weight', weight)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Stop on a non-finite loss; count skipped image files."""
        for key in ('loss_target', 'loss_source'):
            value = (outputs or {}).get(key)
            if value is not None and not math.isfinite(float(value)):
                last = runner.message_hub.get_info('last_ckpt')
                raise FloatingPointError(
                    f'{key} is {float(value)} at iteration {runner.iter} '
                    f'(epoch {runner.epoch}, source weight '
                    f'{self.weight(runner.iter):.4g}): training stopped. '
                    'Last good checkpoint: '
                    f'{last or "none saved yet"}')
        for sample in (data_batch or {}).get('data_samples', []):
            self.skipped_files += len(sample.get('skipped_files', ()))
        runner.message_hub.update_scalar('train/skipped_files',
                                         self.skipped_files)
