"""The labelled image sources tasks are cut from, in one shape.

An :class:`ImagePool` holds greyscale ``uint8`` images of one source with
a train part and a held-out test part:

- ``fashion``: Fashion-MNIST (28x28), its official 60000/10000 split;
- ``digits``: scikit-learn's 1797 handwritten digits (upscaled to 32x32),
  half of each class in the test part, always the same half;
- ``glyphs``: characters drawn from the installed fonts (28x28), the
  train and test parts drawn with different seeds;
- ``cjk_source``, ``cjk_target``, ``cjk_probe``: three disjoint sets of
  CJK ideographs drawn from the installed fonts (``cjk_glyphs.py``).

A pool says what each class depicts (:meth:`ImagePool.depictions`), in
words every pool shares: the digit ``digit3`` and the glyph ``u0033``
both depict ``'3'``, so a task can keep a class out of its source
whichever pool shows it.
"""
from typing import NamedTuple, Optional, Tuple

import numpy as np
from PIL import Image

from .digits import load_digit_images
from .glyph_fonts import FONT_DIR
from .glyphs import load_glyph_fonts, render_glyph_images, select_glyph_classes
from .idx import FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, load_fashion_mnist

__all__ = [
    'DEFAULT_GLYPH_CLASSES', 'ImagePool', 'fashion_pool', 'digits_pool',
    'glyph_pool', 'to_rgb'
]

#: classes of the ``glyphs`` pool, when the fonts draw that many
DEFAULT_GLYPH_CLASSES = 400


class ImagePool(NamedTuple):
    """Labelled greyscale images ``(N, H, W)``; labels index
    ``class_names``. ``depicts`` says what each class shows (None: its
    name)."""
    class_names: Tuple[str, ...]
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    depicts: Optional[Tuple[str, ...]] = None

    def depictions(self) -> Tuple[str, ...]:
        """What each class depicts: a character for digits and glyphs,
        the class name otherwise."""
        return self.depicts or self.class_names


def fashion_pool(root: str = FASHION_MNIST_DIR) -> ImagePool:
    """Fashion-MNIST from its IDX files in ``root``."""
    data = load_fashion_mnist(root)
    return ImagePool(FASHION_MNIST_CLASSES, data['train_images'],
                     data['train_labels'].astype(np.int64),
                     data['test_images'], data['test_labels'].astype(np.int64))


def digits_pool() -> ImagePool:
    """scikit-learn's digits; the test part is a fixed half of each class
    (split with seed 0, whatever the task's seed), as a dataset's official
    test split would be."""
    images, labels = load_digit_images(size=32)
    grey = images[..., 0]
    rng = np.random.default_rng(0)
    is_test = np.zeros(len(labels), dtype=bool)
    for c in range(10):
        own = rng.permutation(np.flatnonzero(labels == c))
        is_test[own[:len(own) // 2]] = True
    return ImagePool(
        tuple(f'digit{c}' for c in range(10)), grey[~is_test],
        labels[~is_test], grey[is_test], labels[is_test],
        tuple(str(c) for c in range(10)))


def glyph_pool(num_classes: Optional[int] = None,
               train_per_class: int = 100,
               test_per_class: int = 50,
               seed: int = 0,
               font_root: str = FONT_DIR,
               min_fonts: int = 3) -> ImagePool:
    """Characters drawn from the fonts under ``font_root``.

    Args:
        num_classes (int, optional): Classes, a seeded random sample of
            the usable characters (kept in candidate order). None:
            ``DEFAULT_GLYPH_CLASSES``, or every usable character when the
            fonts draw fewer (343 with only DejaVu installed). Defaults to
            None.
        train_per_class (int): Train images per class. Defaults to 100.
        test_per_class (int): Test images per class. Defaults to 50.
        seed (int): Seed of the class sample and the drawings. Defaults
            to 0.
        font_root (str): Where fonts are searched. Defaults to
            ``FONT_DIR``.
        min_fonts (int): Fonts that must draw a class. Defaults to 3.

    Returns:
        ImagePool: Class names ``u<code point>``, e.g. ``u0041``; each
        depicts its character.
    """
    _, fonts = load_glyph_fonts(font_root)
    usable = select_glyph_classes(fonts, min_fonts=min_fonts)
    if num_classes is None:
        num_classes = min(DEFAULT_GLYPH_CLASSES, len(usable))
    if not 1 <= num_classes <= len(usable):
        raise ValueError(
            f'`num_classes` (`--glyph-classes` of the benchmark tools) '
            f'should be in 1-{len(usable)}: the fonts under {font_root!r} '
            f'draw {len(usable)} usable characters (at least {min_fonts} '
            f'fonts each); got {num_classes}')
    pick = np.sort(np.random.default_rng(seed).choice(
        len(usable), num_classes, replace=False))
    classes = [usable[i] for i in pick]
    train = render_glyph_images(fonts, classes, train_per_class, 2 * seed)
    test = render_glyph_images(fonts, classes, test_per_class, 2 * seed + 1)
    return ImagePool(tuple(c.name for c in classes), *train, *test,
                     tuple(c.char for c in classes))


def to_rgb(images: np.ndarray, size: int = 32) -> np.ndarray:
    """Greyscale ``(N, H, W)`` images as ``(N, size, size, 3)`` RGB
    (bilinear resize when ``H, W`` differ from ``size``)."""
    if images.ndim != 3:
        raise ValueError('expected greyscale images (N, H, W), but got shape '
                         f'{images.shape}')
    if images.shape[1:] != (size, size):
        images = np.stack([
            np.asarray(Image.fromarray(im).resize((size, size),
                                                  Image.BILINEAR))
            for im in images
        ]) if len(images) else np.zeros((0, size, size), np.uint8)
    return np.repeat(images[..., None], 3, axis=3)
