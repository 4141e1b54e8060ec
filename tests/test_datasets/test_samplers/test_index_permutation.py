import numpy as np
import pytest

from mmsoftft.datasets import IndexPermutation


@pytest.mark.parametrize('size', [1, 2, 3, 5, 64, 1000, 4097])
def test_is_a_permutation(size):
    out = IndexPermutation(size, seed=7)(np.arange(size))
    assert sorted(out.tolist()) == list(range(size))


def test_seed_changes_order_and_is_deterministic():
    a = IndexPermutation(1000, seed=1)(np.arange(1000))
    b = IndexPermutation(1000, seed=1)(np.arange(1000))
    c = IndexPermutation(1000, seed=2)(np.arange(1000))
    assert (a == b).all()
    assert (a != c).mean() > 0.9
    # shuffled, not the identity
    assert (a != np.arange(1000)).mean() > 0.9


def test_huge_domain_without_materialising():
    perm = IndexPermutation(10**8, seed=0)
    out = perm(np.arange(10**8 - 5000, 10**8))
    assert len(set(out.tolist())) == 5000
    assert out.min() >= 0 and out.max() < 10**8


def test_errors():
    with pytest.raises(ValueError, match='`size` should be >= 1'):
        IndexPermutation(0, seed=0)
    with pytest.raises(IndexError, match='position 5 is out of range'):
        IndexPermutation(5, seed=0)(np.array([5]))
