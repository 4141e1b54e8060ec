"""Paired statistics of a benchmark beyond ``report.t_interval``.

Seed-paired differences (method - plain): the exact sign test and the
Wilcoxon signed-rank test, which do not assume normal differences; Holm's
step-down correction of a family of p-values; and Pearson / Spearman
correlation between two per-cell measures (e.g. the probe k-NN gain and
the target top-1 gain).
"""
from typing import Dict, List, Optional, Sequence

import numpy as np

__all__ = ['sign_test', 'wilcoxon_p', 'holm', 'correlation']


def _diffs(diffs: Sequence[float]) -> np.ndarray:
    d = np.asarray(diffs, dtype=np.float64)
    if d.ndim != 1 or len(d) == 0:
        raise ValueError('expected a non-empty list of paired differences, '
                         f'but got shape {d.shape}')
    return d


def sign_test(diffs: Sequence[float]) -> float:
    """Two-sided exact sign test p-value of paired differences.

    Zero differences are dropped; with ``n`` non-zero ones of which ``w``
    are positive, p = P(|B - n/2| >= |w - n/2|) for B ~ Binomial(n, 1/2).
    No non-zero difference gives p = 1 (no evidence either way).
    """
    from scipy import stats
    d = _diffs(diffs)
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        return 1.0
    wins = int((nonzero > 0).sum())
    return float(stats.binomtest(wins, len(nonzero), 0.5).pvalue)


def wilcoxon_p(diffs: Sequence[float]) -> float:
    """Two-sided Wilcoxon signed-rank p-value of paired differences.

    Zero differences are dropped first (Wilcoxon's own rule, scipy's
    ``zero_method='wilcox'``), so a tie of two methods neither counts for
    nor against either, and the ranks are those of the non-zero
    differences; then scipy's ``wilcoxon``, the exact null distribution
    for small samples without ties. No non-zero difference gives p = 1.
    """
    from scipy import stats
    d = _diffs(diffs)
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        return 1.0
    return float(stats.wilcoxon(nonzero, zero_method='wilcox').pvalue)


def holm(pvalues: Sequence[float]) -> List[float]:
    """Holm's step-down adjusted p-values of a family of tests.

    With the ``m`` p-values sorted ascending, ``p_(1) <= ... <= p_(m)``,
    the adjusted ``p~_(i) = min(1, max_{j <= i} (m - j + 1) p_(j))``;
    rejecting where ``p~ <= alpha`` keeps the family-wise error rate at
    ``alpha`` (Holm 1979).

    Args:
        pvalues (Sequence[float]): Raw p-values, in any order.

    Returns:
        list[float]: The adjusted p-values, in the order given.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    if p.ndim != 1 or np.any((p < 0) | (p > 1)):
        raise ValueError('expected a list of p-values in [0, 1], but got '
                         f'{list(pvalues)}')
    m = len(p)
    order = np.argsort(p, kind='stable')
    steps = (m - np.arange(m)) * p[order]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted.tolist()


def correlation(x: Sequence[float],
                y: Sequence[float]) -> Dict[str, Optional[float]]:
    """Pearson and Spearman correlation of paired measures.

    Args:
        x (Sequence[float]): First measure, one value per pair.
        y (Sequence[float]): Second measure, same length (3 or more).

    Returns:
        dict: ``pearson_r``, ``pearson_p``, ``spearman_rho``,
        ``spearman_p`` (two-sided); all None when ``x`` or ``y`` is
        constant (the correlation is undefined).
    """
    from scipy import stats
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError('x and y should be 1-D and of one length, but got '
                         f'shapes {a.shape} and {b.shape}')
    if len(a) < 3:
        raise ValueError(f'correlation needs 3 or more pairs, got {len(a)}')
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return dict(pearson_r=None, pearson_p=None, spearman_rho=None,
                    spearman_p=None)
    pearson = stats.pearsonr(a, b)
    spearman = stats.spearmanr(a, b)
    return dict(
        pearson_r=float(pearson.statistic), pearson_p=float(pearson.pvalue),
        spearman_rho=float(spearman.statistic),
        spearman_p=float(spearman.pvalue))
