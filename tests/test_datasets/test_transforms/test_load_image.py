import numpy as np
import pytest

from mmsoftft.datasets import CheckedLoadImageFromFile


def test_unreadable_file_names_the_path(tmp_path):
    empty = tmp_path / 'empty.jpg'
    empty.write_bytes(b'')
    with pytest.raises(OSError, match=f'Cannot read image {empty}'):
        CheckedLoadImageFromFile()(dict(img_path=str(empty)))
    missing = tmp_path / 'missing.jpg'
    with pytest.raises(OSError, match=f'Cannot read image {missing}'):
        CheckedLoadImageFromFile()(dict(img_path=str(missing)))


def test_loads_like_mmcv(tmp_path):
    import cv2
    image = np.random.default_rng(0).integers(0, 255, (5, 7, 3), np.uint8)
    cv2.imwrite(str(tmp_path / 'a.png'), image)
    out = CheckedLoadImageFromFile()(dict(img_path=str(tmp_path / 'a.png')))
    assert np.array_equal(out['img'], image)
    assert out['img_shape'] == (5, 7)


def test_loaded_image_passes_through():
    """mmpretrain's inferencers hand over `img` without `img_path`."""
    image = np.zeros((4, 4, 3), np.uint8)
    results = dict(img=image, img_shape=(4, 4), ori_shape=(4, 4))
    assert CheckedLoadImageFromFile()(results) is results


def test_plain_inferencer_runs_with_a_shipped_config(tmp_path):
    from mmpretrain import ImageClassificationInferencer

    from ...conftest import repo_path
    inferencer = ImageClassificationInferencer(
        repo_path('configs/demo/finetune_digits.py'), pretrained=False)
    out = inferencer(np.zeros((32, 32, 3), np.uint8))
    assert 0 <= out[0]['pred_label'] < 5
