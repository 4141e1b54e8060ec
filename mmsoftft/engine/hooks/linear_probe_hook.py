"""Hook of LP-FT: a linear probe on the frozen network, then fine-tuning."""
from typing import Optional, Union

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model
from torch.nn.parallel import DistributedDataParallel

from ..schedules import check_point, to_iters

__all__ = ['LinearProbeHook']


@HOOKS.register_module()
class LinearProbeHook(Hook):
    """Train only the new head first (linear probing), then every weight.

    LP-FT (Kumar, Raghunathan, Jones, Ma & Liang, ICLR 2022,
    https://arxiv.org/abs/2202.10054): with ``T = probe_end`` in
    iterations,

    .. math::

        t < T:\\ \\min_{\\theta_{head}} L_t(\\theta_{head};\\,
        \\theta_{backbone}^0) \\qquad
        t \\ge T:\\ \\min_{\\theta_{head},\\, \\theta_{backbone}} L_t

    so fine-tuning starts from a trained head instead of a random one,
    which would distort the pre-trained features early on. The hook works
    with any classifier with a ``head`` (``ImageClassifier`` for LP-FT; it
    is also the warm-up of :class:`LwFClassifier`, where only the new head
    trains first). While probing, every other part of the model (backbone,
    neck, a source head) has ``requires_grad=False`` (no gradient, so the
    optimizer neither steps nor decays it) and is in eval mode (BatchNorm
    statistics frozen, dropout off); at ``T`` the weights that were
    trainable before become trainable again and train mode is restored. The
    phase is a pure function of the iteration, so a resumed run continues
    it exactly. ``probe_end`` equal to the whole training gives the linear
    probe alone, the reference point of a linear classifier on frozen
    pre-trained features.

    The paper trains the probe to convergence before a separate
    fine-tuning run; here the probe takes the first part of the same
    schedule, so every method trains for the same iterations on the same
    batches.

    Under ``DistributedDataParallel`` the frozen weights produce no
    gradient, which DDP only accepts with ``find_unused_parameters=True``
    (``find_unused_parameters = True`` at the top level of the config, or
    in ``model_wrapper_cfg`` if it has one: mmengine then reads it there);
    without it, or under another model wrapper, training stops before the
    first iteration with an error saying so.

    Args:
        probe_end (int | float): Where linear probing ends, in ``unit``,
            > 0. Defaults to 0.1 (a tenth of the training; the paper gives
            no fraction, see above).
        unit (str): ``'iter'``, ``'epoch'`` or ``'fraction'`` (of the whole
            training, in (0, 1]). Defaults to ``'fraction'``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 probe_end: Union[int, float] = 0.1,
                 unit: str = 'fraction'):
        check_point('probe_end', probe_end, unit)
        if probe_end == 0:
            raise ValueError('`probe_end` should be > 0, but got 0')
        self.probe_end = probe_end
        self.unit = unit
        self.probe_iters: Optional[int] = None
        self.frozen_modules: list = []
        # recorded when probing first freezes them (see before_train_iter)
        self.frozen_params: Optional[list] = None

    def before_train(self, runner) -> None:
        """Check the model and its wrapper; find what probing freezes."""
        wrapper = runner.model
        if is_model_wrapper(wrapper):
            if not isinstance(wrapper, DistributedDataParallel):
                raise TypeError(
                    'LinearProbeHook supports no model wrapper but '
                    'DistributedDataParallel, but got '
                    f'{type(wrapper).__name__}')
            if not wrapper.find_unused_parameters:
                raise ValueError(
                    'LinearProbeHook freezes all weights but the head\'s, '
                    'which DistributedDataParallel accepts only with '
                    '`find_unused_parameters = True` (top level of the '
                    'config, or in `model_wrapper_cfg` if it has one), but '
                    'got find_unused_parameters=False')
        model = get_ori_model(wrapper)
        if getattr(model, 'head', None) is None:
            raise TypeError('LinearProbeHook needs a model with a `head`, '
                            f'but got {type(model).__name__}')
        self.frozen_modules = [
            module for name, module in model.named_children()
            if name != 'head'
        ]
        self.model = model
        self.frozen_params = None
        self.probe_iters = to_iters(self.probe_end, self.unit,
                                    runner.max_iters,
                                    len(runner.train_dataloader))
        if self.probe_iters > runner.max_iters:
            raise ValueError(
                f'`probe_end`={self.probe_end} (unit="{self.unit}") is '
                f'iteration {self.probe_iters}, past the end of training at '
                f'iteration {runner.max_iters}')
        # the models of LP-FT and LwF refuse to train until this is set
        model.probe_iters = self.probe_iters
        what = ('linear probing only' if self.probe_iters == runner.max_iters
                else 'then all weights train')
        runner.logger.info(
            f'LinearProbeHook: only `head` trains (the rest frozen, in eval '
            f'mode) for iterations [0, {self.probe_iters}) of '
            f'{runner.max_iters}, {what}')

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Freeze before every probing iteration (the loop puts the model
        in train mode each epoch); unfreeze once, where probing ends.

        The weights to give back are those trainable when probing first
        freezes: a weight the user froze before (``frozen_stages``, a hook
        of their own) stays frozen after the probe."""
        if runner.iter < self.probe_iters:
            if self.frozen_params is None:
                self.frozen_params = [
                    param for name, param in self.model.named_parameters()
                    if not name.startswith('head.') and param.requires_grad
                ]
            self._set_frozen(True)
        elif runner.iter == self.probe_iters:
            self._set_frozen(False)
            runner.logger.info(
                f'LinearProbeHook: iteration {runner.iter}, all weights '
                'train from now on')

    def _set_frozen(self, frozen: bool) -> None:
        for param in self.frozen_params or ():
            param.requires_grad_(not frozen)
        for module in self.frozen_modules:
            # train(True) lets modules keep their own rules (norm_eval)
            module.train(not frozen)
