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


class StreamDraws:
    """A dataset whose items draw inside one RandomStream (as a source
    pipeline does), with the process's torch seed and pid."""

    def __init__(self, stream):
        self.stream = stream

    def __len__(self):
        return 4

    def __getitem__(self, idx):
        import os

        import torch
        with self.stream:
            drawn = draws()
        return dict(idx=idx, pid=os.getpid(), torch_seed=torch.initial_seed(),
                    drawn=drawn)


def expected_first_draw(seed, torch_seed):
    """The first draw of a stream started as documented: from ``seed``
    and ``torch.initial_seed()`` of the process."""
    mixed = (seed * 1_000_003 + torch_seed) % 2**32
    return (np.random.RandomState(mixed).rand(),
            random.Random(mixed).random())


def test_forked_workers_restart_the_stream_from_their_seed():
    """The stream is entered in the main process, then loader workers are
    forked (with its state copied): each worker starts the stream afresh
    from its own torch seed, so the workers' draws are their own, not a
    copy of the main process's next numbers nor of each other's."""
    import torch
    from torch.utils.data import DataLoader
    stream = RandomStream(seed=7)
    with stream:  # started in the main process before the fork
        draws()
    with stream:
        main_next = draws()  # what a copied (not restarted) state gives
    torch.manual_seed(0)
    items = list(DataLoader(StreamDraws(stream), batch_size=None,
                            num_workers=2, multiprocessing_context='fork'))
    firsts = {}
    for item in items:
        firsts.setdefault(int(item['pid']), item)
    assert len(firsts) == 2  # two workers, each its first item
    for item in firsts.values():
        drawn = tuple(float(x) for x in item['drawn'])
        assert drawn == expected_first_draw(7, int(item['torch_seed']))
        assert drawn != main_next
    a, b = (tuple(float(x) for x in item['drawn'])
            for item in firsts.values())
    assert a != b
