"""Raw-pixel k-NN and the frozen-feature linear probe on tiny CUB roots
with hand-computable answers."""
import numpy as np
import pytest
import torch
from mmengine.config import Config

from benchmarks.baselines import (
    linear_probe,
    load_cub_split,
    model_features,
    raw_pixel_knn,
)
from benchmarks.layouts import write_cub_layout
from tests.conftest import repo_path


def flat(value):
    return np.full((32, 32, 3), value, np.uint8)


@pytest.fixture(scope='module')
def grey_levels(tmp_path_factory):
    """Train: class 0 at 0, 10, 20; class 1 at 200, 210. Test: 15 (class 0)
    and 205 (class 1): 1-NN gets both; 5-NN votes 3:2 for class 0."""
    root = str(tmp_path_factory.mktemp('cub'))
    values = [0, 10, 20, 200, 210, 15, 205]
    labels = [0, 0, 0, 1, 1, 0, 1]
    is_train = [True] * 5 + [False] * 2
    return write_cub_layout(root, [flat(v) for v in values], labels,
                            is_train, ['dark', 'bright'])


def test_load_cub_split(grey_levels):
    images, labels = load_cub_split(grey_levels, 'train')
    assert images.shape == (5, 32, 32, 3) and images.dtype == np.uint8
    assert labels.tolist() == [0, 0, 0, 1, 1]
    with pytest.raises(ValueError, match="'val'"):
        load_cub_split(grey_levels, 'val')


def test_raw_pixel_knn(grey_levels):
    assert raw_pixel_knn(grey_levels) == dict(knn1=100.0, knn5=50.0)
    with pytest.raises(ValueError, match='k should be in 1-5.*got 6'):
        raw_pixel_knn(grey_levels, ks=(6, ))


def test_linear_probe(grey_levels):
    def brightness(images):
        return images.reshape(len(images), -1).mean(1, keepdims=True)

    assert linear_probe(grey_levels, brightness) == 100.0
    with pytest.raises(ValueError, match='C should be > 0, got 0'):
        linear_probe(grey_levels, brightness, C=0)


def test_model_features(grey_levels):
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    images, _ = load_cub_split(grey_levels, 'train')
    extract = model_features(model, batch_size=2)
    feats = extract(images)
    assert feats.shape == (5, 128)
    np.testing.assert_allclose(model_features(model)(images), feats,
                               rtol=1e-5, atol=1e-6)
    assert 0 <= linear_probe(grey_levels, extract) <= 100
    with pytest.raises(ValueError, match='batch_size should be >= 1'):
        model_features(model, batch_size=0)
