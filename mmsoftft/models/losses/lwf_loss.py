"""Learning without Forgetting's distillation loss on the source head."""
import math
from numbers import Real

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS

__all__ = ['lwf_loss', 'LwFLoss']


def lwf_loss(student: torch.Tensor, teacher: torch.Tensor,
             temperature: float) -> torch.Tensor:
    """Distillation of the recorded source outputs, averaged over samples.

    With :math:`p = \\mathrm{softmax}(y_o / T)` (the pre-trained network's
    outputs) and :math:`q = \\mathrm{softmax}(\\hat{y}_o / T)` (the source
    head's outputs now):

    .. math::

        \\mathrm{KD}(y_o, \\hat{y}_o) = \\sum_i p_i \\log \\frac{p_i}{q_i}
        = -\\sum_i p_i \\log q_i - H(p)

    This is the paper's cross-entropy :math:`-\\sum_i p_i \\log q_i` minus
    the entropy of ``p``, a constant of the teacher: the gradients are the
    same, and the loss is 0 (its minimum) exactly when the student answers
    as the teacher.

    Args:
        student (Tensor): The source head's logits, shape ``(N, C)``.
        teacher (Tensor): The pre-trained network's logits ``y_o`` on the
            same images, shape ``(N, C)``; no gradient flows into them.
        temperature (float): ``T``; > 1 softens both distributions.

    Returns:
        Tensor: The mean over the ``N`` samples, a scalar.
    """
    log_q = F.log_softmax(student.float() / temperature, dim=1)
    log_p = F.log_softmax(teacher.detach().float() / temperature, dim=1)
    return F.kl_div(log_q, log_p, reduction='batchmean', log_target=True)


@MODELS.register_module()
class LwFLoss(nn.Module):
    """The old-task loss of Learning without Forgetting (Li & Hoiem, ECCV
    2016, https://arxiv.org/abs/1606.09282), a thin module over
    :func:`lwf_loss`.

    .. math::

        L = L_t + \\lambda_o \\, \\mathrm{KD}(y_o, \\hat{y}_o)

    Args:
        temperature (float): ``T``, > 0. Defaults to 2.0 (the paper's).
        loss_weight (float): ``lambda_o``, >= 0. Defaults to 1.0 (the
            paper's).
    """

    def __init__(self, temperature: float = 2.0, loss_weight: float = 1.0):
        super().__init__()
        for key, value in (('temperature', temperature), ('loss_weight',
                                                          loss_weight)):
            if isinstance(value, bool) or not isinstance(
                    value, Real) or not math.isfinite(value):
                raise TypeError(f'`{key}` should be a finite number, but '
                                f'got {value!r}')
        if temperature <= 0:
            raise ValueError(
                f'`temperature` should be > 0, but got {temperature}')
        if loss_weight < 0:
            raise ValueError(
                f'`loss_weight` should be >= 0, but got {loss_weight}')
        self.temperature = float(temperature)
        self.loss_weight = float(loss_weight)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """``lambda_o * KD(teacher, student)``; see :func:`lwf_loss`."""
        return self.loss_weight * lwf_loss(student, teacher,
                                           self.temperature)

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, '
                f'loss_weight={self.loss_weight}')
