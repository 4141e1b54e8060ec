import gc
import itertools
import os
import tracemalloc

import pytest
from mmengine.dataset import DefaultSampler
from torch.utils.data import BatchSampler

from mmsoftft.datasets import SourceTargetBatchSampler

from ..test_source_target_dataset import FakeDataset, make_dataset


def build(dataset, batch_size=4, source_batch_size=3, rank=0, world=1,
          seed=0, monkeypatch=None, **kw):
    if monkeypatch is not None:
        for mod in ('mmengine.dataset.sampler',
                    'mmsoftft.datasets.samplers.source_target_batch_sampler'):
            monkeypatch.setattr(f'{mod}.get_dist_info', lambda: (rank, world))
    sampler = DefaultSampler(dataset, shuffle=True, seed=seed)
    return SourceTargetBatchSampler(
        sampler, batch_size, source_batch_size=source_batch_size, **kw)


def split(batches, num_target):
    return ([[i for i in b if i < num_target] for b in batches],
            [[i for i in b if i >= num_target] for b in batches])


def test_batch_composition_and_same_target_batches_as_plain():
    ds = make_dataset(num_target=10, num_source=50)
    bs = build(ds, batch_size=4, source_batch_size=3)
    batches = list(bs)
    target, source = split(batches, 10)
    assert len(bs) == len(batches) == 3
    assert [len(t) for t in target] == [4, 4, 2]
    assert [len(s) for s in source] == [3, 3, 3]
    # exactly the batches a plain BatchSampler makes from the same sampler
    plain = list(BatchSampler(DefaultSampler(ds, shuffle=True, seed=0), 4,
                              False))
    assert target == plain
    # the dataset maps source indices to source samples
    assert all(ds[i]['data_samples'].origin == 'source' for i in source[0])


def test_drop_last():
    ds = make_dataset(num_target=10, num_source=50)
    bs = build(ds, batch_size=4, drop_last=True)
    assert len(bs) == 2 and len(list(bs)) == 2


def test_no_repeat_until_source_used_up_across_epochs():
    ds = make_dataset(num_target=8, num_source=30)
    bs = build(ds, batch_size=4, source_batch_size=4)
    stream = []
    for epoch in range(5):
        bs.sampler.set_epoch(epoch)
        stream += [i for b in bs for i in b if i >= 8]
    assert len(stream) == 40
    first, second = stream[:30], stream[30:]
    assert sorted(first) == list(range(8, 38))  # a full pass, no repeats
    assert len(set(second)) == len(second)


def test_rank_disjoint_and_covering(monkeypatch):
    ds = make_dataset(num_target=16, num_source=1000)
    per_rank = []
    for rank in range(2):
        bs = build(ds, batch_size=4, source_batch_size=5, rank=rank, world=2,
                   monkeypatch=monkeypatch)
        bs.sampler.set_epoch(1)
        per_rank.append(list(bs))
    t0, s0 = split(per_rank[0], 16)
    t1, s1 = split(per_rank[1], 16)
    flat = lambda x: list(itertools.chain(*x))  # noqa: E731
    assert not set(flat(t0)) & set(flat(t1))
    assert sorted(flat(t0) + flat(t1)) == list(range(16))
    assert not set(flat(s0)) & set(flat(s1))
    assert len(set(flat(s0) + flat(s1))) == 2 * 2 * 5


def test_deterministic_from_seed_and_epoch():
    ds = make_dataset(num_target=12, num_source=100)

    def epoch_batches(seed, epoch):
        bs = build(ds, seed=seed)
        bs.sampler.set_epoch(epoch)
        return list(bs)

    assert epoch_batches(0, 3) == epoch_batches(0, 3)
    assert epoch_batches(0, 3) != epoch_batches(0, 2)
    assert epoch_batches(0, 3) != epoch_batches(1, 3)
    # a fresh sampler jumping straight to epoch 3 (a resumed run) draws
    # what a sampler that went through epochs 0-2 draws
    bs = build(ds, seed=0)
    for epoch in range(4):
        bs.sampler.set_epoch(epoch)
        last = list(bs)
    assert last == epoch_batches(0, 3)


def test_source_stops_at_stop_iter():
    ds = make_dataset(num_target=12, num_source=100)
    bs = build(ds, batch_size=4, source_batch_size=2)
    bs.set_source_stop_iter(4)  # 3 batches per epoch: stop in epoch 1
    counts = []
    for epoch in range(3):
        bs.sampler.set_epoch(epoch)
        counts += [sum(i >= 12 for i in b) for b in bs]
    assert counts == [2, 2, 2, 2, 0, 0, 0, 0, 0]
    bs.set_source_stop_iter(0)
    assert all(max(b) < 12 for b in bs)


def test_zero_source_batch_size_is_target_only():
    ds = make_dataset(num_target=12, num_source=100)
    assert all(len(b) == 4 and max(b) < 12
               for b in build(ds, source_batch_size=0))


def rss_bytes():
    """Resident memory of this process (Linux), whatever allocated it."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def drawing_memory(num_source):
    """Peak bytes traced (Python and numpy allocations) while a sampler is
    built and draws 1000 batches of 64 source samples from a virtual source
    of ``num_source``, and the growth of resident memory (any allocator,
    e.g. torch's) while the sampler is still alive."""
    ds = make_dataset(num_target=4000, num_source=num_source)
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    try:
        bs = build(ds, batch_size=4, source_batch_size=64)
        bs.sampler.set_epoch(10**5)  # deep into the stream: cycle > 0
        sizes = [len(b) for b in bs]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sizes == [68] * 1000
    return peak, rss_bytes() - rss_before


def test_memory_flat_for_a_huge_source():
    """The source permutation is computed, never stored: 10^8 source
    samples cost what 10^4 cost (a stored int64 permutation would be
    800 MB, a bitmap of drawn samples 12.5 MB)."""
    drawing_memory(10**4)  # first use: one-off caches of numpy and Python
    small_peak, _ = drawing_memory(10**4)
    huge_peak, huge_rss = drawing_memory(10**8)
    assert huge_peak < 2**20
    assert huge_peak < small_peak + 64 * 2**10
    assert huge_rss < 100 * 2**20


@pytest.mark.parametrize('kwargs, words', [
    (dict(batch_size=0), '`batch_size` should be an int >= 1, but got 0'),
    (dict(batch_size=-2), '`batch_size` should be an int >= 1, but got -2'),
    (dict(source_batch_size=-1),
     '`source_batch_size` should be an int >= 0, but got -1'),
    (dict(source_batch_size=2.5), '`source_batch_size`'),
])
def test_bad_batch_sizes(kwargs, words):
    ds = make_dataset(num_target=8, num_source=10)
    args = dict(batch_size=4, source_batch_size=3)
    args.update(kwargs)
    with pytest.raises(ValueError) as e:
        SourceTargetBatchSampler(DefaultSampler(ds, seed=0), **args)
    assert words in str(e.value)


def test_needs_a_source_target_dataset():
    with pytest.raises(TypeError, match='needs the train dataloader'):
        SourceTargetBatchSampler(
            DefaultSampler(FakeDataset(5, 'target'), seed=0), 2)
