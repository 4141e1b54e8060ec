"""Hook that keeps the optimizer's weight decay out of L2-SP training."""
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

__all__ = ['L2SPHook']


@HOOKS.register_module()
class L2SPHook(Hook):
    """Check, before training, that the optimizer decays no weight of an
    :class:`L2SPClassifier`.

    L2-SP (Li, Grandvalet & Davoine, ICML 2018,
    https://arxiv.org/abs/1802.01483) *replaces* weight decay:

    .. math::

        L = L_t + \\frac{\\alpha}{2} \\lVert w_S - w_S^0 \\rVert^2
                + \\frac{\\beta}{2} \\lVert w_{new} \\rVert^2

    pulls the shared weights toward their pre-trained values and decays
    only the new ones. An optimizer with ``weight_decay`` would add
    :math:`\\frac{\\lambda}{2} \\lVert w \\rVert^2` on top (a pull toward 0
    of the shared weights too), silently. So in ``before_train`` this hook
    raises a ``ValueError`` naming the first decayed weight if any
    parameter group holding a model weight has ``weight_decay`` other than
    0, and marks the model checked: :class:`L2SPClassifier` refuses to
    compute a training loss until this hook has run, so a config without
    it fails at the first iteration instead of decaying twice.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        """Check every parameter group of the optimizer(s)."""
        model = get_ori_model(runner.model)
        if not hasattr(model, 'optimizer_checked'):
            raise TypeError('L2SPHook needs an L2SPClassifier, but got '
                            f'{type(model).__name__}')
        names = {id(p): name for name, p in model.named_parameters()}
        wrappers = runner.optim_wrapper
        if hasattr(wrappers, 'optim_wrappers'):  # an OptimWrapperDict
            wrappers = wrappers.optim_wrappers.values()
        else:
            wrappers = [wrappers]
        for wrapper in wrappers:
            for group in wrapper.optimizer.param_groups:
                decay = group.get('weight_decay', 0)
                held = [
                    names[id(p)] for p in group['params'] if id(p) in names
                ]
                if decay and held:
                    raise ValueError(
                        f'L2-SP replaces weight decay, but the optimizer '
                        f'decays `{held[0]}` (and {len(held) - 1} more '
                        f'weights of its group) with weight_decay={decay}:'
                        ' set `optim_wrapper.optimizer.weight_decay=0` '
                        '(`model.loss.alpha` and `model.loss.beta` set the '
                        'regularisation)')
        model.optimizer_checked = True
