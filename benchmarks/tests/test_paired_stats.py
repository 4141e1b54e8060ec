import pytest

from benchmarks.paired_stats import correlation, holm, sign_test, wilcoxon_p


def test_sign_test_hand_computed():
    # 5 wins out of 5: p = 2 / 2**5
    assert sign_test([1, 2, 3, 4, 5]) == pytest.approx(2 / 32)
    # zeros dropped: 4 wins, 1 loss of 5: p = 2 * (1 + 5) / 32
    assert sign_test([1, 2, 0, 3, 4, -1]) == pytest.approx(12 / 32)
    assert sign_test([0, 0]) == 1.0
    with pytest.raises(ValueError, match='non-empty'):
        sign_test([])


def test_wilcoxon_hand_computed():
    # ranks 1..5 all positive: exact two-sided p = 2 / 2**5
    assert wilcoxon_p([1, 2, 3, 4, 5]) == pytest.approx(2 / 32)
    # W- = 1 (rank of -1): P(W <= 1) = 2 / 32, two-sided 4 / 32
    assert wilcoxon_p([-1, 2, 3, 4, 5]) == pytest.approx(4 / 32)
    assert wilcoxon_p([0.0, 0.0, 0.0]) == 1.0


def test_correlation():
    out = correlation([1, 2, 3, 4], [2, 4, 6, 8])
    assert out['pearson_r'] == pytest.approx(1.0)
    assert out['spearman_rho'] == pytest.approx(1.0)
    # monotone but not linear: Spearman 1, Pearson below 1
    out = correlation([1, 2, 3, 4], [1, 2, 3, 100])
    assert out['spearman_rho'] == pytest.approx(1.0)
    assert out['pearson_r'] < 0.9
    assert correlation([1, 1, 1], [1, 2, 3])['pearson_r'] is None
    with pytest.raises(ValueError, match='3 or more pairs, got 2'):
        correlation([1, 2], [1, 2])
    with pytest.raises(ValueError, match=r'\(3,\) and \(2,\)'):
        correlation([1, 2, 3], [1, 2])


def test_balanced_and_losing_differences():
    # 2 wins, 2 losses: no evidence either way
    assert sign_test([1, -1, 2, -2]) == 1.0
    # all losses are as significant as all wins
    assert sign_test([-1, -2, -3, -4, -5]) == pytest.approx(2 / 32)
    assert wilcoxon_p([-1, -2, -3, -4, -5]) == pytest.approx(2 / 32)
    # W+ = 1 + 3 + 5 = 9, W- = 6: near the middle of 0-15
    assert wilcoxon_p([1, -2, 3, -4, 5]) > 0.5
    out = correlation([1, 2, 3, 4], [4, 3, 2, 1])
    assert out['pearson_r'] == pytest.approx(-1.0)
    assert out['spearman_rho'] == pytest.approx(-1.0)


def test_wilcoxon_drops_zero_differences():
    # zeros dropped: the exact test of the 5 non-zero ones (2 / 2**5);
    # ranking the zeros too (Pratt) would give 5 / 64
    assert wilcoxon_p([0, 0, 1, 2, 3, 4, 5]) == pytest.approx(2 / 32)
    assert wilcoxon_p([0, -1, 2, 3, 4, 5]) == pytest.approx(4 / 32)
    assert wilcoxon_p([0]) == 1.0


def test_holm_hand_computed():
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): 4 * 0.01, 3 * 0.03, then
    # 2 * 0.04 = 0.08 raised to the 0.09 before it, 1 * 0.5
    assert holm([0.04, 0.01, 0.5, 0.03]) == pytest.approx(
        [0.09, 0.04, 0.5, 0.09])
    # capped at 1; ties get one value
    assert holm([0.6, 0.7]) == [1.0, 1.0]
    assert holm([0.02, 0.02, 0.02]) == pytest.approx([0.06] * 3)
    assert holm([0.3]) == [0.3] and holm([]) == []
    with pytest.raises(ValueError, match=r'p-values in \[0, 1\].*1\.5'):
        holm([0.5, 1.5])
