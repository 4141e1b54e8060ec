"""Hook of joint training: the source loss kept at a constant weight."""
import math
from numbers import Real

from mmpretrain.registry import HOOKS

from .soft_finetune_hook import SoftFineTuneHook

__all__ = ['JointTrainingHook']


@HOOKS.register_module()
class JointTrainingHook(SoftFineTuneHook):
    """Joint training: soft fine-tuning's loss with a weight never decayed.

    The non-selective form of Selective Joint Fine-tuning (Ge & Yu, CVPR
    2017, https://arxiv.org/abs/1702.08690): the target task and the source
    task are trained together for the whole training, on all the source
    data rather than on a subset retrieved for the target. At every
    iteration ``t``

    .. math::

        L(t) = L_{target} + w \\cdot L_{source}, \\qquad w(t) = w

    with the model, data set and batch sampler of soft fine-tuning
    (:class:`SoftFineTuneClassifier`, :class:`SourceTargetDataset`,
    :class:`SourceTargetBatchSampler`), so it differs from
    :class:`SoftFineTuneHook` only in never removing the source loss: the
    sampler draws source images up to the last iteration. The checks of the
    model, the loader and the labels are :class:`SoftFineTuneHook`'s; ``w``
    is logged as ``source_weight``.

    Args:
        source_weight (float): The constant weight ``w`` of the source loss,
            > 0 (0 would be plain fine-tuning loading unused source images).
            Defaults to 1.0 (the two losses summed).
    """

    def __init__(self, source_weight: float = 1.0):
        if isinstance(source_weight, bool) or not isinstance(
                source_weight, Real) or not math.isfinite(source_weight):
            raise TypeError('`source_weight` should be a finite number, but '
                            f'got {source_weight!r}')
        if source_weight <= 0:
            raise ValueError(
                '`source_weight` should be > 0 (for plain fine-tuning use '
                f'no source data), but got {source_weight}')
        self.source_weight = float(source_weight)
        self.stop_iter = None  # the source branch is never removed

    def before_train(self, runner) -> None:
        """Check model and loader; draw source images for every
        iteration."""
        loader = self.check_source_branch(runner)
        loader.batch_sampler.set_source_stop_iter(None)
        runner.logger.info(
            f'JointTrainingHook: constant source weight {self.source_weight}'
            f' for all {runner.max_iters} iterations')

    def weight(self, iteration: int) -> float:
        """The source weight at any iteration: the constant ``w``."""
        return self.source_weight
