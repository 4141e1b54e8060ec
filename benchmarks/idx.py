"""Read Fashion-MNIST from its four standard IDX gzip files.

The IDX format (the MNIST family's): a big-endian header of two zero
bytes, a type code (``0x08`` = unsigned byte) and the number of
dimensions, then one big-endian ``uint32`` per dimension, then the data.
Images are ``idx3`` (N, rows, cols), labels ``idx1`` (N,). Debian's
``dataset-fashion-mnist`` package installs the files under
``/usr/share/datasets/fashion-mnist/``.
"""
import gzip
import os.path as osp
import struct
from typing import Dict

import numpy as np

__all__ = [
    'FASHION_MNIST_DIR', 'FASHION_MNIST_CLASSES', 'FASHION_MNIST_FILES',
    'read_idx', 'load_fashion_mnist'
]

FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'
# Folder-safe names of the ten classes, in label order.
FASHION_MNIST_CLASSES = ('tshirt_top', 'trouser', 'pullover', 'dress',
                         'coat', 'sandal', 'shirt', 'sneaker', 'bag',
                         'ankle_boot')
FASHION_MNIST_FILES = dict(
    train_images='train-images-idx3-ubyte.gz',
    train_labels='train-labels-idx1-ubyte.gz',
    test_images='t10k-images-idx3-ubyte.gz',
    test_labels='t10k-labels-idx1-ubyte.gz')
_UBYTE = 0x08


def read_idx(path: str, ndim: int) -> np.ndarray:
    """Read one gzip-compressed IDX file of unsigned bytes.

    Args:
        path (str): The ``.gz`` file.
        ndim (int): Dimensions the file must hold (3 for images, 1 for
            labels).

    Returns:
        np.ndarray: ``uint8`` array of the dimensions in the header.
    """
    with gzip.open(path, 'rb') as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f'{path}: too short for an IDX header '
                         f'({len(data)} bytes)')
    zeros, dtype, got_ndim = struct.unpack('>HBB', data[:4])
    if zeros != 0 or dtype != _UBYTE or got_ndim != ndim:
        raise ValueError(
            f'{path}: expected the IDX magic number 0x0000{_UBYTE:02x}'
            f'{ndim:02x} (unsigned bytes, {ndim} dims), but got '
            f'0x{zeros:04x}{dtype:02x}{got_ndim:02x}')
    header = 4 + 4 * ndim
    shape = struct.unpack(f'>{ndim}I', data[4:header])
    count = int(np.prod(shape))
    if len(data) - header != count:
        raise ValueError(f'{path}: header says shape {shape} ({count} '
                         f'bytes) but {len(data) - header} bytes follow')
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def load_fashion_mnist(
        root: str = FASHION_MNIST_DIR) -> Dict[str, np.ndarray]:
    """Fashion-MNIST's official train and test splits.

    Args:
        root (str): Directory holding the four files named in
            ``FASHION_MNIST_FILES``. Defaults to ``FASHION_MNIST_DIR``.

    Returns:
        dict: ``train_images`` (60000, 28, 28), ``train_labels`` (60000,),
        ``test_images`` (10000, 28, 28), ``test_labels`` (10000,), all
        ``uint8``; labels index ``FASHION_MNIST_CLASSES``.
    """
    paths = {k: osp.join(root, v) for k, v in FASHION_MNIST_FILES.items()}
    missing = [p for p in paths.values() if not osp.isfile(p)]
    if missing:
        raise FileNotFoundError(
            f'Fashion-MNIST not found in {root!r}: missing '
            f'{", ".join(osp.basename(p) for p in missing)}. Install it '
            'with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu) '
            'or put the four IDX .gz files there.')
    out = {
        k: read_idx(p, ndim=3 if k.endswith('images') else 1)
        for k, p in paths.items()
    }
    for split in ('train', 'test'):
        images, labels = out[f'{split}_images'], out[f'{split}_labels']
        if len(images) != len(labels):
            raise ValueError(f'{root}: {len(images)} {split} images but '
                             f'{len(labels)} labels')
        if labels.size and labels.max() >= len(FASHION_MNIST_CLASSES):
            raise ValueError(f'{paths[split + "_labels"]}: labels should be '
                             f'in 0-9, but got {int(labels.max())}')
    return out

