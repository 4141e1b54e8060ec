"""Unreadable images in every loader: skipped and counted in the soft
fine-tuning training set, a clear error naming the file anywhere else."""
import shutil

import pytest
from mmengine.runner import Runner

from ..conftest import BatchRecorder, softft_cfg


def cub_copy(tiny_data, tmp_path, split, content):
    """A copy of the tiny CUB target whose first image of ``split`` (1 =
    train, 0 = test) holds ``content``; returns (root, path)."""
    root = shutil.copytree(tiny_data['target'], tmp_path / 'cub')
    names = dict(line.split() for line in open(root / 'images.txt'))
    splits = dict(
        line.split() for line in open(root / 'train_test_split.txt'))
    bad = next(names[i] for i, s in splits.items() if s == split)
    (root / 'images' / bad).write_bytes(content)
    return root, str(root / 'images' / bad)


@pytest.mark.parametrize('loader', ['CheckedLoadImageFromFile',
                                    'LoadImageFromFile'])
def test_zero_byte_training_image_is_skipped_and_counted(
        loader, tiny_data, pretrained_ckpt, tmp_path):
    # mmcv's own loader raises cv2.error (no path) on an empty file
    root, bad = cub_copy(tiny_data, tmp_path, '1', b'')
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'work',
                     max_epochs=1)
    cfg.train_dataloader.dataset.target.data_root = str(root)
    cfg.train_dataloader.dataset.target.pipeline[0] = dict(type=loader)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    runner = Runner.from_cfg(cfg)
    recorder = BatchRecorder()
    runner.register_hook(recorder)
    runner.train()
    assert len(recorder.weights) == 3  # the epoch went on
    assert runner.message_hub.get_scalar(
        'train/skipped_files').current() == 1
    assert not any(bad == p for b in recorder.batches.values()
                   for _, _, p in b)


def test_corrupt_validation_image_names_the_file(tiny_data, pretrained_ckpt,
                                                 tmp_path):
    root, bad = cub_copy(tiny_data, tmp_path, '0', b'not a jpeg')
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'work',
                     max_epochs=1)
    cfg.val_dataloader.dataset.data_root = str(root)
    with pytest.raises(OSError, match=f'Cannot read image {bad}'):
        Runner.from_cfg(cfg).train()


def test_corrupt_image_in_plain_training_names_the_file(tiny_data,
                                                        tmp_path):
    from mmengine.config import Config

    from ..conftest import repo_path
    root, bad = cub_copy(tiny_data, tmp_path, '1', b'')
    cfg = Config.fromfile(repo_path('configs/demo/finetune_digits.py'))
    cfg.merge_from_dict({
        'work_dir': str(tmp_path / 'work'),
        'model.backbone.init_cfg': None,
        'train_dataloader.dataset.data_root': str(root),
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 1,
        'log_level': 'WARNING',
    })
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    with pytest.raises(OSError, match=f'Cannot read image {bad}'):
        Runner.from_cfg(cfg).train()
