import numpy as np
import pytest

from benchmarks.idx import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_FILES,
    load_fashion_mnist,
    read_idx,
)

from .conftest import TEST_PER_CLASS, TRAIN_PER_CLASS, write_idx


def test_read_idx_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / 'a.gz', array)
    out = read_idx(str(tmp_path / 'a.gz'), ndim=3)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, array)


def test_read_idx_bad_magic(tmp_path):
    write_idx(tmp_path / 'float.gz', np.zeros((2, 2, 2)), magic_dtype=0x0D)
    with pytest.raises(ValueError, match=r'float\.gz.*0x00000803.*0x00000d03'):
        read_idx(str(tmp_path / 'float.gz'), ndim=3)
    write_idx(tmp_path / 'labels.gz', np.zeros(5))
    with pytest.raises(ValueError, match='3 dims'):
        read_idx(str(tmp_path / 'labels.gz'), ndim=3)


def test_read_idx_truncated(tmp_path):
    import gzip
    write_idx(tmp_path / 'a.gz', np.zeros((2, 3)))
    data = gzip.open(tmp_path / 'a.gz').read()
    with gzip.open(tmp_path / 'cut.gz', 'wb') as f:
        f.write(data[:-1])
    with pytest.raises(ValueError, match=r'cut\.gz.*\(2, 3\).*5 bytes'):
        read_idx(str(tmp_path / 'cut.gz'), ndim=2)


def test_load_fashion_mnist(fashion_dir):
    data = load_fashion_mnist(fashion_dir)
    assert data['train_images'].shape == (10 * TRAIN_PER_CLASS, 28, 28)
    assert data['test_images'].shape == (10 * TEST_PER_CLASS, 28, 28)
    assert np.bincount(data['test_labels']).tolist() == [TEST_PER_CLASS] * 10
    assert len(FASHION_MNIST_CLASSES) == 10


def test_load_fashion_mnist_missing(tmp_path):
    write_idx(tmp_path / FASHION_MNIST_FILES['train_images'],
              np.zeros((1, 28, 28)))
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(str(tmp_path))
    message = str(info.value)
    assert str(tmp_path) in message
    assert 'apt-get install dataset-fashion-mnist' in message
    # one error naming every missing file, not the present one
    assert 't10k-labels-idx1-ubyte.gz' in message
    assert 'train-images' not in message


def test_load_fashion_mnist_label_count(tmp_path):
    for key, name in FASHION_MNIST_FILES.items():
        n = 3 if key == 'train_labels' else 2
        shape = (n, 28, 28) if key.endswith('images') else (n, )
        write_idx(tmp_path / name, np.zeros(shape))
    with pytest.raises(ValueError, match='2 train images but 3 labels'):
        load_fashion_mnist(str(tmp_path))
