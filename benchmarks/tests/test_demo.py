"""On a fresh clone, `tools/demo.py --prepare-only` writes what
configs/demo/*.py read, so `tools/train.py configs/demo/softft_digits.py`
trains with no data or checkpoint options (run in a scratch working
directory, as the configs' paths are relative to it)."""
import os.path as osp

import pytest
import torch

from tests.conftest import repo_path, run_tool


@pytest.mark.slow
def test_prepare_only_then_train_the_soft_demo_config(tmp_path):
    out = run_tool(repo_path('tools/demo.py'), '--prepare-only',
                   '--pretrain-epochs', '1', cwd=str(tmp_path))
    assert 'pre-trained model: work_dirs/demo/digits_pretrain.pth' in out
    assert (tmp_path / 'data/digits/source/meta/train.txt').is_file()
    assert (tmp_path / 'data/digits/target/images.txt').is_file()
    # only the data and the checkpoint: no fine-tuning ran
    assert not osp.exists(tmp_path / 'work_dirs/demo/softft')
    out = run_tool(repo_path('tools/train.py'),
                   repo_path('configs/demo/softft_digits.py'),
                   '--cfg-options', 'train_cfg.max_epochs=1',
                   'train_cfg.val_interval=1', cwd=str(tmp_path))
    assert 'accuracy/top1' in out
    ckpt = torch.load(tmp_path / 'work_dirs/softft_digits/epoch_1.pth',
                      weights_only=True)
    assert ckpt['meta']['epoch'] == 1
