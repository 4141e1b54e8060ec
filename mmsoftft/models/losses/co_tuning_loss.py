"""Co-Tuning's loss on the source head: soft source labels from the target
labels."""
import math
from numbers import Real

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS

__all__ = ['co_tuning_loss', 'CoTuningLoss']


def co_tuning_loss(source_logits: torch.Tensor,
                   soft_target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the source head against soft source labels,
    averaged over samples.

    With :math:`z_i` the source head's logits on sample ``i`` and
    :math:`r_i = R[y_{t,i}]` the row of the category relationship
    :math:`p(y_s \\mid y_t)` for its target label:

    .. math::

        \\mathrm{CE}(r, z) = -\\frac{1}{N} \\sum_i \\sum_j r_{ij}
        \\log \\mathrm{softmax}(z_i)_j

    Its gradient on :math:`z_i` is
    :math:`(\\mathrm{softmax}(z_i) - r_i) / N`: the source head is pulled
    toward :math:`r_i`. With one-hot rows it is the ordinary
    cross-entropy.

    Args:
        source_logits (Tensor): The source head's logits, shape ``(N, C)``.
        soft_target (Tensor): The soft source labels, shape ``(N, C)``
            (rows are distributions); no gradient flows into them.

    Returns:
        Tensor: The mean over the ``N`` samples, a scalar.

    Raises:
        ValueError: If the two shapes differ.
    """
    if source_logits.shape != soft_target.shape:
        raise ValueError(
            'co_tuning_loss needs logits and soft labels of one shape (N, C)'
            f', but got {tuple(source_logits.shape)} and '
            f'{tuple(soft_target.shape)}')
    log_q = F.log_softmax(source_logits.float(), dim=1)
    return -(soft_target.detach().float() * log_q).sum(dim=1).mean()


@MODELS.register_module()
class CoTuningLoss(nn.Module):
    """The source-head term of Co-Tuning, a thin module over
    :func:`co_tuning_loss`.

    You, Kou, Jiang & Long, "Co-Tuning for Transfer Learning", NeurIPS 2020,
    https://proceedings.neurips.cc/paper/2020/hash/c8067ad1937f728f51288b3eb986afaa-Abstract.html

    .. math::

        L = L_t(head(f(x)), y_t)
            + \\lambda \\, \\mathrm{CE}(R[y_t], source\\_head(f(x)))

    This module is the second term, ``lambda`` times the soft-label
    cross-entropy; :class:`CoTuningClassifier` adds the target head's own
    loss.

    Args:
        loss_weight (float): ``lambda``, >= 0. Defaults to 2.3 (the
            paper's value for most tasks; it chooses ``lambda`` on
            validation data).
    """

    def __init__(self, loss_weight: float = 2.3):
        super().__init__()
        if isinstance(loss_weight, bool) or not isinstance(
                loss_weight, Real) or not math.isfinite(loss_weight):
            raise TypeError('`loss_weight` should be a finite number, but '
                            f'got {loss_weight!r}')
        if loss_weight < 0:
            raise ValueError(
                f'`loss_weight` should be >= 0, but got {loss_weight}')
        self.loss_weight = float(loss_weight)

    def forward(self, source_logits: torch.Tensor,
                soft_target: torch.Tensor) -> torch.Tensor:
        """``lambda * CE(soft_target, source_logits)``; see
        :func:`co_tuning_loss`."""
        return self.loss_weight * co_tuning_loss(source_logits, soft_target)

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}'
