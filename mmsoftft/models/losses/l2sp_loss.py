"""L2-SP: an L2 penalty toward the pre-trained weights (the starting
point), instead of toward 0."""
import math
from numbers import Real
from typing import Sequence

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS

__all__ = ['l2sp_loss', 'L2SPLoss']


def l2sp_loss(shared: Sequence[torch.Tensor],
              pretrained: Sequence[torch.Tensor],
              new: Sequence[torch.Tensor], alpha: float,
              beta: float) -> tuple:
    """The two terms of the L2-SP penalty.

    .. math::

        \\Omega(w) = \\frac{\\alpha}{2} \\lVert w_S - w_S^0 \\rVert_2^2
                   + \\frac{\\beta}{2} \\lVert w_{new} \\rVert_2^2

    Args:
        shared (Sequence[Tensor]): ``w_S``, the weights shared with the
            pre-trained network (not empty).
        pretrained (Sequence[Tensor]): ``w_S^0``, their pre-trained values,
            one tensor of the same shape per weight.
        new (Sequence[Tensor]): ``w_new``, the weights the pre-trained
            network has no value for (the new head; not empty).
        alpha (float): Strength of the pull toward ``w_S^0``.
        beta (float): Strength of the decay of ``w_new``.

    Returns:
        tuple[Tensor, Tensor]: The pull
        :math:`\\frac{\\alpha}{2} \\lVert w_S - w_S^0 \\rVert^2` and the
        decay :math:`\\frac{\\beta}{2} \\lVert w_{new} \\rVert^2`, scalars.
    """
    pull = torch.stack([(w - w0.detach()).pow(2).sum()
                        for w, w0 in zip(shared, pretrained)])
    decay = torch.stack([w.pow(2).sum() for w in new])
    return alpha / 2 * pull.sum(), beta / 2 * decay.sum()


@MODELS.register_module()
class L2SPLoss(nn.Module):
    """The L2-SP penalty of Li, Grandvalet & Davoine (ICML 2018,
    https://arxiv.org/abs/1802.01483), a thin module over :func:`l2sp_loss`.

    .. math::

        L = L_t + \\frac{\\alpha}{2} \\lVert w_S - w_S^0 \\rVert_2^2
                + \\frac{\\beta}{2} \\lVert w_{new} \\rVert_2^2

    It replaces weight decay (see :class:`L2SPHook`). The paper chooses
    ``alpha`` and ``beta`` by cross-validation; the defaults are the values
    it reports for its experiments.

    Args:
        alpha (float): Strength of the pull of the shared weights toward
            their pre-trained values, >= 0. Defaults to 0.1.
        beta (float): Strength of the L2 decay of the new weights, >= 0.
            Defaults to 0.01.
    """

    def __init__(self, alpha: float = 0.1, beta: float = 0.01):
        super().__init__()
        for key, value in (('alpha', alpha), ('beta', beta)):
            if isinstance(value, bool) or not isinstance(
                    value, Real) or not math.isfinite(value):
                raise TypeError(f'`{key}` should be a finite number, but '
                                f'got {value!r}')
            if value < 0:
                raise ValueError(f'`{key}` should be >= 0, but got {value}')
        self.alpha = float(alpha)
        self.beta = float(beta)

    def forward(self, shared: Sequence[torch.Tensor],
                pretrained: Sequence[torch.Tensor],
                new: Sequence[torch.Tensor]) -> dict:
        """The penalty as losses to log and sum.

        Returns:
            dict[str, Tensor]: ``loss_l2sp`` (the pull toward ``w_S^0``) and
            ``loss_l2_new`` (the decay of ``w_new``).
        """
        pull, decay = l2sp_loss(shared, pretrained, new, self.alpha,
                                self.beta)
        return dict(loss_l2sp=pull, loss_l2_new=decay)

    def extra_repr(self) -> str:
        return f'alpha={self.alpha}, beta={self.beta}'
