"""Small stand-ins for Fashion-MNIST and the installed fonts.

``benchmark_methods.py --quick`` and the tests run the whole pipeline on
these, so neither needs Debian's ``dataset-fashion-mnist`` package nor any
font package:

- :func:`write_quick_fashion` writes the four IDX files under their real
  names (magic numbers, big-endian dimensions, gzip), ten classes of 28x28
  images: each class a random blocky template, each image that template
  shifted by up to 3 pixels, at a random contrast, with pixel noise;
- :func:`write_quick_font` writes Pillow's bundled font (a TrueType font
  drawing Latin letters, digits and symbols) as the only font of a folder;
- :func:`write_quick_cjk_fonts` writes TrueType fonts (built with
  fontTools) that draw some CJK ideographs, each a random pattern of
  squares, for the CJK pools.
"""
import gzip
import os
import os.path as osp
import struct

import numpy as np
from PIL import ImageFont

from .idx import FASHION_MNIST_FILES

__all__ = [
    'write_idx', 'write_quick_fashion', 'write_quick_font',
    'write_quick_cjk_fonts'
]


def write_idx(path: str, array: np.ndarray) -> str:
    """Write ``uint8`` ``array`` as a gzip-compressed IDX file."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f'IDX files here hold uint8, but got {array.dtype}')
    header = struct.pack('>HBB', 0, 0x08, array.ndim)
    header += struct.pack(f'>{array.ndim}I', *array.shape)
    with gzip.open(path, 'wb') as f:
        f.write(header + array.tobytes())
    return path


def _split(templates: np.ndarray, per_class: int,
           rng: np.random.Generator) -> tuple:
    labels = rng.permutation(np.repeat(np.arange(len(templates)), per_class))
    images = np.zeros((len(labels), 28, 28))
    for i, label in enumerate(labels):
        dy, dx = rng.integers(-3, 4, size=2)
        images[i] = np.roll(templates[label], (dy, dx), axis=(0, 1))
    images *= rng.uniform(0.6, 1.0, size=(len(labels), 1, 1))
    images += rng.normal(0, 20, images.shape)
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.uint8)


def write_quick_fashion(root: str,
                        train_per_class: int = 60,
                        test_per_class: int = 20,
                        seed: int = 0) -> str:
    """Write ten learnable classes as Fashion-MNIST's four IDX files.

    Args:
        root (str): Folder to write (created).
        train_per_class (int): Train images per class. Defaults to 60.
        test_per_class (int): Test images per class. Defaults to 20.
        seed (int): Seed of templates and images. Defaults to 0.

    Returns:
        str: ``root``, to pass where ``FASHION_MNIST_DIR`` is expected.
    """
    for key, value in (('train_per_class', train_per_class),
                       ('test_per_class', test_per_class)):
        if value < 1:
            raise ValueError(f'`{key}` should be >= 1, but got {value}')
    rng = np.random.default_rng(seed)
    # 7x7 random blocks upsampled to 28x28: coarse shapes a small CNN learns
    blocks = rng.random((10, 7, 7)) < 0.4
    templates = np.kron(blocks, np.ones((4, 4))) * 230.0
    os.makedirs(root, exist_ok=True)
    parts = dict(train=_split(templates, train_per_class, rng),
                 test=_split(templates, test_per_class, rng))
    for key, name in FASHION_MNIST_FILES.items():
        split, kind = key.split('_')
        write_idx(osp.join(root, name),
                  parts[split][0 if kind == 'images' else 1])
    return root


def write_quick_font(root: str) -> str:
    """Write Pillow's bundled font as ``root/bundled.ttf``; returns
    ``root``, to pass where ``FONT_DIR`` is expected."""
    os.makedirs(root, exist_ok=True)
    with open(osp.join(root, 'bundled.ttf'), 'wb') as f:
        f.write(ImageFont.load_default().font_bytes)
    return root


def _square(pen, x0: int, y0: int, x1: int, y1: int) -> None:
    pen.moveTo((x0, y0))
    pen.lineTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.closePath()


def write_quick_cjk_fonts(root: str,
                          num_chars: int = 60,
                          faces: int = 3,
                          seed: int = 0) -> str:
    """Write ``faces`` TrueType fonts drawing the same ``num_chars`` CJK
    ideographs (random ones of U+4E00-U+9FA5).

    Each character is a random pattern of 5x5 grid squares; face ``k``
    draws the squares inset by a different margin (a bolder or lighter
    style).

    Args:
        root (str): Folder to write (created): ``standin_cjk_<k>.ttf``.
        num_chars (int): Characters each font draws. Defaults to 60.
        faces (int): Font files. Defaults to 3.
        seed (int): Seed of the characters and patterns. Defaults to 0.

    Returns:
        str: ``root``, to pass where ``FONT_DIR`` is expected.
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    if num_chars < 1 or faces < 1:
        raise ValueError('`num_chars` and `faces` should be >= 1, but got '
                         f'{num_chars} and {faces}')
    rng = np.random.default_rng(seed)
    codes = np.sort(rng.choice(np.arange(0x4E00, 0x9FA6), num_chars,
                               replace=False)).tolist()
    patterns = rng.random((num_chars, 5, 5)) < 0.45
    patterns[:, 2, 2] = True  # never empty
    os.makedirs(root, exist_ok=True)
    names = ['.notdef'] + [f'uni{c:04X}' for c in codes]
    for face in range(faces):
        inset = 10 + 25 * face
        glyphs = {'.notdef': TTGlyphPen(None).glyph()}
        for name, pattern in zip(names[1:], patterns):
            pen = TTGlyphPen(None)
            for y, x in zip(*np.nonzero(pattern)):
                _square(pen, 100 + 160 * x + inset, 700 - 160 * y + inset,
                        260 + 160 * x - inset, 860 - 160 * y - inset)
            glyphs[name] = pen.glyph()
        fb = FontBuilder(1000, isTTF=True)
        fb.setupGlyphOrder(names)
        fb.setupCharacterMap(dict(zip(codes, names[1:])))
        fb.setupGlyf(glyphs)
        fb.setupHorizontalMetrics({n: (1000, 0) for n in names})
        fb.setupHorizontalHeader(ascent=880, descent=-120)
        fb.setupNameTable(dict(familyName='Stand-in CJK',
                               styleName=f'Face {face}'))
        fb.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
        fb.setupPost()
        fb.save(osp.join(root, f'standin_cjk_{face}.ttf'))
    return root
