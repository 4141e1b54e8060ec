import numpy as np
import pytest

from benchmarks.conditions import (
    CONDITIONS,
    ConditionSpec,
    noisy_labels,
    split_train_val,
)

# 3 classes with 40, 50 and 60 train-pool images
LABELS = np.repeat([0, 1, 2], [40, 50, 60])


def split(spec, seed=0, val=5, cap=None, condition_seed=1):
    return split_train_val(LABELS, 3, spec, np.random.default_rng(seed),
                           np.random.default_rng(condition_seed), val, cap)


def test_conditions_table():
    assert CONDITIONS['fewshot5'].shots == 5
    assert CONDITIONS['fewshot20'].shots == 20
    assert CONDITIONS['noisy'].label_noise == 0.3
    assert CONDITIONS['imbalanced'].imbalance_ratio == 20
    assert CONDITIONS['allshot'] == ConditionSpec()


def test_fewshot_and_val():
    val, train, train_labels = split(CONDITIONS['fewshot5'])
    assert np.bincount(LABELS[val]).tolist() == [5, 5, 5]
    assert np.bincount(LABELS[train]).tolist() == [5, 5, 5]
    np.testing.assert_array_equal(train_labels, LABELS[train])
    assert not set(val) & set(train)
    # the validation set is the same for every condition of a seed
    for spec in CONDITIONS.values():
        other_val, other_train, _ = split(spec, condition_seed=9)
        np.testing.assert_array_equal(other_val, val)
        assert not set(other_val) & set(other_train)
    # and changes with the seed
    assert not np.array_equal(split(CONDITIONS['fewshot5'], seed=1)[0], val)


def test_allshot_cap():
    _, train, _ = split(CONDITIONS['allshot'])
    assert np.bincount(LABELS[train]).tolist() == [35, 45, 55]
    _, train, _ = split(CONDITIONS['allshot'], cap=20)
    assert np.bincount(LABELS[train]).tolist() == [20, 20, 20]


def test_imbalanced():
    # head keeps the smallest class's 40, then 40 / sqrt(20), 40 / 20
    heads = set()
    for seed in range(6):
        _, train, _ = split(CONDITIONS['imbalanced'], val=0,
                            condition_seed=seed)
        counts = np.bincount(LABELS[train])
        assert sorted(counts) == [2, 9, 40]
        heads.add(int(np.argmax(counts)))
    assert len(heads) > 1  # which class is the head is seeded


def test_noisy_exact_fraction():
    _, train, train_labels = split(CONDITIONS['noisy'], val=0)
    wrong = train_labels != LABELS[train]
    assert wrong.sum() == round(0.3 * 150)
    assert set(train_labels) <= {0, 1, 2}


@pytest.mark.parametrize('n,fraction,flipped', [
    (7, 0.3, 2),  # 2.1
    (9, 0.3, 3),  # 2.7
    (5, 0.5, 2),  # 2.5: a half goes to the even count
    (7, 0.5, 4),  # 3.5
    (3, 0.1, 0),  # 0.3: nothing flipped
])
def test_noisy_labels_round_the_count(n, fraction, flipped):
    labels = np.arange(n) % 3
    out = noisy_labels(labels, 3, fraction, np.random.default_rng(n))
    assert (out != labels).sum() == flipped
    assert set(out) <= {0, 1, 2}


def test_noisy_labels_always_wrong():
    labels = np.repeat(np.arange(4), 25)
    out = noisy_labels(labels, 4, 0.5, np.random.default_rng(0))
    assert (out != labels).sum() == 50
    np.testing.assert_array_equal(
        noisy_labels(labels, 4, 0.0, np.random.default_rng(0)), labels)
    with pytest.raises(ValueError, match='2 classes'):
        noisy_labels(np.zeros(4, int), 1, 0.5, np.random.default_rng(0))


def test_deterministic():
    a = split(CONDITIONS['noisy'])
    b = split(CONDITIONS['noisy'])
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize('spec,val,cap,match', [
    (ConditionSpec(shots=0), 5, None, '`shots`.*got 0'),
    (ConditionSpec(imbalance_ratio=0.5), 5, None, '`imbalance_ratio`'),
    (ConditionSpec(label_noise=1.0), 5, None, '`label_noise`.*got 1.0'),
    (ConditionSpec(), -1, None, '`val_per_class`.*got -1'),
    (ConditionSpec(shots=20), 5, 10, '`max_per_class`.*>= 20.*got 10'),
    (ConditionSpec(shots=36), 5, None, 'class 0 has 40.*5 validation \\+ 36'),
])
def test_bad_input(spec, val, cap, match):
    with pytest.raises(ValueError, match=match):
        split(spec, val=val, cap=cap)
