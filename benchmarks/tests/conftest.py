"""Fixtures of the toolkit tests: tiny Fashion-MNIST IDX files.

The files have the real names, magic numbers and big-endian dimensions;
train images are dark (pixel values < 100) and test images bright
(>= 128), so a test can tell from a written image which part it came from.
"""
import gzip
import struct

import numpy as np
import pytest

from benchmarks.idx import FASHION_MNIST_FILES

TRAIN_PER_CLASS = 30
TEST_PER_CLASS = 12


def write_idx(path, array, magic_dtype=0x08):
    """Write ``array`` (uint8) as a gzip IDX file."""
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack('>HBB', 0, magic_dtype, array.ndim)
    header += struct.pack(f'>{array.ndim}I', *array.shape)
    with gzip.open(path, 'wb') as f:
        f.write(header + array.tobytes())


def fake_split(per_class, base, seed):
    """Images of class ``c`` are ``base + 5 * c`` plus a little noise."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), per_class)
    rng.shuffle(labels)
    images = base + 5 * labels[:, None, None] + rng.integers(
        0, 3, (len(labels), 28, 28))
    return images.astype(np.uint8), labels.astype(np.uint8)


@pytest.fixture(scope='session')
def fashion_dir(tmp_path_factory):
    """A directory holding the four Fashion-MNIST files, tiny."""
    root = tmp_path_factory.mktemp('fashion')
    parts = dict(train=fake_split(TRAIN_PER_CLASS, 0, 0),
                 test=fake_split(TEST_PER_CLASS, 130, 1))
    for key, name in FASHION_MNIST_FILES.items():
        split, kind = key.split('_')
        write_idx(root / name, parts[split][0 if kind == 'images' else 1])
    return str(root)
