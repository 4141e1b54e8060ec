"""Raw-pixel k-NN and the frozen-feature linear probe on tiny CUB roots
with hand-computable answers."""
import numpy as np
import pytest
import torch

from benchmarks.baselines import (
    linear_probe,
    load_cub_split,
    model_features,
    raw_pixel_knn,
)
from benchmarks.layouts import write_cub_layout
from benchmarks.method_runs import build_classifier
from benchmarks.source_models import width_options
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


def brightness(images):
    return images.reshape(len(images), -1).mean(1, keepdims=True)


def test_linear_probe(grey_levels, tmp_path):
    assert linear_probe(grey_levels, brightness) == 100.0
    # the same train split, the test labels swapped: the probe scores the
    # test split against its own labels, so the rule learnt on the train
    # split (dark is 0) gets both wrong
    swapped = write_cub_layout(
        str(tmp_path / 'swapped'), [flat(v) for v in (0, 10, 20, 200, 210,
                                                      15, 205)],
        [0, 0, 0, 1, 1, 1, 0], [True] * 5 + [False] * 2, ['a', 'b'])
    assert linear_probe(swapped, brightness) == 0.0
    with pytest.raises(ValueError, match='C should be > 0, got 0'):
        linear_probe(grey_levels, brightness, C=0)


def test_linear_probe_on_labels_unrelated_to_the_images(tmp_path):
    """Noise images with coin-flip labels: every pixel a feature, the
    probe fits the 60 train images perfectly and scores chance on the 60
    test images (50 +- 20 is over 3 binomial standard deviations)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (120, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 2, 120)
    root = write_cub_layout(str(tmp_path / 'noise'), list(images), labels,
                            [True] * 60 + [False] * 60, ['a', 'b'])

    def pixels(x):
        return x.reshape(len(x), -1).astype(np.float64)

    assert 30 <= linear_probe(root, pixels) <= 70
    # scored on the train split instead, it would be perfect
    train_root = write_cub_layout(
        str(tmp_path / 'train_as_test'), list(images[:60]) * 2,
        list(labels[:60]) * 2, [True] * 60 + [False] * 60, ['a', 'b'])
    assert linear_probe(train_root, pixels) == 100.0


def test_model_features(grey_levels):
    """The features are the backbone and neck of the images normalised
    as the demo configs' data_preprocessor says ((x - 127.5) / 127.5), in
    eval mode: the same for any batch size."""
    model = build_classifier(repo_path('configs/demo/digits_pretrain.py'),
                             width_options(4, 2), seed=0)
    images, _ = load_cub_split(grey_levels, 'train')
    extract = model_features(model, batch_size=2)
    feats = extract(images)
    assert feats.shape == (5, 32)  # 8 x width 4
    np.testing.assert_allclose(model_features(model)(images), feats,
                               rtol=1e-5, atol=1e-6)
    x = (torch.from_numpy(images).permute(0, 3, 1, 2).float() - 127.5) / 127.5
    with torch.no_grad():
        by_hand = model.neck(model.backbone(x))[-1].numpy()
    np.testing.assert_allclose(feats, by_hand, rtol=1e-5, atol=1e-6)
    assert not model.training
    with pytest.raises(ValueError, match='batch_size should be >= 1'):
        model_features(model, batch_size=0)
