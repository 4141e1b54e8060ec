"""The embedded demo data: scikit-learn's bundled handwritten digits.

``sklearn.datasets.load_digits`` ships 1797 real 8x8 greyscale digits inside
the scikit-learn wheel, so nothing is downloaded. They are upscaled to RGB
images and written in mmpretrain's ImageNet layout (the source domain, the
stand-in for ImageNet) and CUB layout (the few-shot target task).
"""
from typing import Dict, Optional, Sequence

import numpy as np

from .layouts import write_cub_layout, write_imagenet_layout

__all__ = ['load_digit_images', 'write_digits_source', 'write_digits_target']


def load_digit_images(size: int = 32) -> tuple:
    """All 1797 digits as ``uint8`` RGB images of ``size`` x ``size``.

    Returns:
        tuple[np.ndarray, np.ndarray]: images ``(N, size, size, 3)`` and
        labels ``(N,)`` in 0-9.
    """
    from PIL import Image
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = []
    for img in digits.images:
        grey = (img / 16.0 * 255).astype(np.uint8)
        big = Image.fromarray(grey).resize((size, size), Image.BILINEAR)
        images.append(np.repeat(np.asarray(big)[:, :, None], 3, axis=2))
    return np.stack(images), digits.target.astype(np.int64)


def _pick(labels: np.ndarray, classes: Sequence[int]) -> np.ndarray:
    for c in classes:
        if not 0 <= c <= 9:
            raise ValueError(f'digit classes should be in 0-9, but got {c}')
    return np.flatnonzero(np.isin(labels, list(classes)))


def write_digits_source(root: str, classes: Sequence[int],
                        images: np.ndarray, labels: np.ndarray) -> str:
    """Write the digits of ``classes`` as an ImageNet-layout train split."""
    idx = _pick(labels, classes)
    remap = {c: i for i, c in enumerate(classes)}
    return write_imagenet_layout(root, 'train', images[idx],
                                 [remap[int(y)] for y in labels[idx]],
                                 [f'digit{c}' for c in classes])


def write_digits_target(root: str,
                        classes: Sequence[int],
                        images: np.ndarray,
                        labels: np.ndarray,
                        shots: Optional[int],
                        seed: int = 0,
                        test_fraction: float = 0.5,
                        train_counts: Optional[Dict[int, int]] = None,
                        label_noise: float = 0.0) -> str:
    """Write the digits of ``classes`` as a CUB-layout target task.

    Half of each class (``test_fraction``) is the test split; the train split
    keeps ``shots`` images per class (all when None), or ``train_counts[c]``
    for class ``c`` (a class-imbalanced set). ``label_noise`` is the fraction
    of train labels replaced by a different random class.
    """
    rng = np.random.default_rng(seed)
    idx = _pick(labels, classes)
    remap = {c: i for i, c in enumerate(classes)}
    keep, is_train = [], []
    for c in classes:
        own = rng.permutation(idx[labels[idx] == c])
        n_test = int(round(len(own) * test_fraction))
        train = own[n_test:]
        limit = train_counts.get(c) if train_counts else shots
        if limit is not None:
            train = train[:limit]
        keep += list(own[:n_test]) + list(train)
        is_train += [False] * n_test + [True] * len(train)
    keep = np.array(keep)
    is_train = np.array(is_train)
    new_labels = np.array([remap[int(y)] for y in labels[keep]])
    noisy = is_train & (rng.random(len(keep)) < label_noise)
    shift = rng.integers(1, len(classes), size=len(keep))
    new_labels[noisy] = (new_labels[noisy] + shift[noisy]) % len(classes)
    return write_cub_layout(root, images[keep], new_labels, is_train,
                            [f'digit{c}' for c in classes])
