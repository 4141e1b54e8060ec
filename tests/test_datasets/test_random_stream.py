import random

import numpy as np
import pytest

from mmsoftft.datasets.random_stream import RandomStream


def draws():
    return np.random.rand(), random.random()


def test_leaves_the_global_streams_as_they_were():
    np.random.seed(1)
    random.seed(1)
    expected = [draws(), draws()]
    np.random.seed(1)
    random.seed(1)
    stream = RandomStream()
    first = draws()
    with stream:
        inside = [draws(), draws()]
    assert draws() == expected[1] and first == expected[0]
    with stream:
        assert draws() not in inside  # the own stream goes on
    assert inside != expected


def test_same_seed_same_stream():
    with RandomStream(seed=3):
        a = draws()
    with RandomStream(seed=3):
        b = draws()
    with RandomStream(seed=4):
        c = draws()
    assert a == b != c


def test_bad_seed():
    with pytest.raises(TypeError, match='`seed` should be an int'):
        RandomStream(seed='0')
