"""Training conditions of a target task: how much data, how biased.

A condition picks the labelled training images of a target task from its
train pool, after a validation set was carved from that pool:

- ``fewshot5`` / ``fewshot20``: 5 / 20 images per class;
- ``allshot``: every image (up to a cap per class);
- ``imbalanced``: long-tailed, class ``i`` of a seeded class order keeps
  ``n * ratio ** (-i / (C - 1))`` of the ``n`` available, ratio 20;
- ``noisy``: every image, 30% of them (rounded to a whole count, see
  :func:`noisy_labels`) given a wrong label drawn uniformly from the other
  classes.

The test images (the full held-out test split) never depend on it.
"""
from typing import List, NamedTuple, Optional, Tuple

import numpy as np

__all__ = ['ConditionSpec', 'CONDITIONS', 'split_train_val', 'noisy_labels']


class ConditionSpec(NamedTuple):
    """``shots`` per class (None: all), long-tail ``imbalance_ratio`` (1:
    balanced) and the ``label_noise`` fraction of wrong train labels."""
    shots: Optional[int] = None
    imbalance_ratio: float = 1.0
    label_noise: float = 0.0


CONDITIONS = dict(
    fewshot5=ConditionSpec(shots=5),
    fewshot20=ConditionSpec(shots=20),
    allshot=ConditionSpec(),
    imbalanced=ConditionSpec(imbalance_ratio=20.0),
    noisy=ConditionSpec(label_noise=0.3))


def _check(spec: ConditionSpec) -> None:
    if spec.shots is not None and spec.shots < 1:
        raise ValueError(f'`shots` should be None or >= 1, got {spec.shots}')
    if spec.imbalance_ratio < 1:
        raise ValueError('`imbalance_ratio` should be >= 1, got '
                         f'{spec.imbalance_ratio}')
    if not 0 <= spec.label_noise < 1:
        raise ValueError(
            f'`label_noise` should be in [0, 1), got {spec.label_noise}')


def noisy_labels(labels: np.ndarray, num_classes: int, fraction: float,
                 rng: np.random.Generator) -> np.ndarray:
    """A copy of ``labels`` with ``round(fraction * N)`` of them, chosen at
    random, replaced by a different class drawn uniformly.

    The count is Python's ``round``: the nearest whole number, a half to
    the even one (0.3 x 7 = 2.1 flips 2, 0.3 x 9 = 2.7 flips 3,
    0.5 x 5 = 2.5 flips 2, 0.5 x 7 = 3.5 flips 4).
    """
    out = np.array(labels, dtype=np.int64)
    count = int(round(fraction * len(out)))
    if count and num_classes < 2:
        raise ValueError('label noise needs at least 2 classes, but got '
                         f'{num_classes}')
    flip = rng.choice(len(out), size=count, replace=False)
    out[flip] = (out[flip] + rng.integers(1, num_classes, size=count)) \
        % num_classes
    return out


def _counts(available: List[int], spec: ConditionSpec,
            rng: np.random.Generator) -> List[int]:
    n = len(available)
    if spec.imbalance_ratio == 1 or n < 2:
        wanted = [spec.shots or a for a in available]
    else:
        rank = np.empty(n, dtype=np.int64)
        rank[rng.permutation(n)] = np.arange(n)
        top = spec.shots or min(available)
        wanted = [
            max(1, int(round(top * spec.imbalance_ratio**(-r / (n - 1)))))
            for r in rank
        ]
    return wanted


def split_train_val(
        labels: np.ndarray, num_classes: int, spec: ConditionSpec,
        rng_val: np.random.Generator, rng_train: np.random.Generator,
        val_per_class: int,
        max_per_class: Optional[int] = None) -> Tuple[np.ndarray, ...]:
    """Indices of the validation and training images, and train labels.

    Args:
        labels (np.ndarray): Labels ``0..num_classes-1`` of the train pool.
        num_classes (int): Classes of the task.
        spec (ConditionSpec): The condition.
        rng_val (np.random.Generator): Carves the validation images
            (``val_per_class`` per class, clean labels, balanced).
        rng_train (np.random.Generator): Picks the training images and
            their noise.
        val_per_class (int): Validation images per class (0: none).
        max_per_class (int, optional): Cap on the training images a class
            may offer before the condition applies. Defaults to None.

    Returns:
        tuple: ``val_idx``, ``train_idx`` (indices into ``labels``) and
        ``train_labels`` (noisy under label noise).
    """
    _check(spec)
    if val_per_class < 0:
        raise ValueError(f'`val_per_class` should be >= 0, got '
                         f'{val_per_class}')
    if max_per_class is not None and max_per_class < (spec.shots or 1):
        raise ValueError(f'`max_per_class` should be >= {spec.shots or 1} '
                         f'(the shots), got {max_per_class}')
    val, rest = [], []
    for c in range(num_classes):
        own = rng_val.permutation(np.flatnonzero(labels == c))
        need = val_per_class + (spec.shots or 1)
        if len(own) < need:
            raise ValueError(
                f'class {c} has {len(own)} train-pool images, fewer than '
                f'{val_per_class} validation + {spec.shots or 1} training')
        val.append(own[:val_per_class])
        rest.append(rng_train.permutation(own[val_per_class:])[:max_per_class])
    counts = _counts([len(r) for r in rest], spec, rng_train)
    train_idx = np.concatenate([r[:k] for r, k in zip(rest, counts)])
    train_labels = noisy_labels(labels[train_idx], num_classes,
                                spec.label_noise, rng_train)
    return np.concatenate(val), train_idx, train_labels
