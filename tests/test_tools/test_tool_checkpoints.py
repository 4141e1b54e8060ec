"""tools/train.py and tools/test.py check the checkpoints they will load
before building the Runner, and read `checkpoint_safe_globals`."""
import argparse
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from ..conftest import (
    dump_tool_config,
    repo_path,
    run_tool,
    softft_cfg,
    unreachable_url,
)


def run_failing(*args, **env):
    proc = subprocess.run(
        [sys.executable, *args], cwd=repo_path(), capture_output=True,
        text=True, timeout=300,
        env=dict(os.environ, PYTHONWARNINGS='ignore',
                 no_proxy='127.0.0.1,localhost', **env))
    assert proc.returncode != 0, proc.stdout[-2000:]
    return proc.stderr


def dumped_config(tiny_data, pretrained, tmp_path, **options):
    cfg = softft_cfg(tiny_data, pretrained, tmp_path / 'work', max_epochs=1)
    return dump_tool_config(cfg, tmp_path / 'softft_tiny.py', **options)


def truncated_copy(src, dst):
    data = open(src, 'rb').read()
    open(dst, 'wb').write(data[:len(data) // 2])
    return str(dst)


@pytest.mark.parametrize('fault', ['truncated', 'unreachable'])
def test_train_tool_names_a_bad_pretrained_checkpoint(
        fault, tiny_data, pretrained_ckpt, tmp_path):
    bad = (truncated_copy(pretrained_ckpt, tmp_path / 'cut.pth')
           if fault == 'truncated' else unreachable_url('pretrained.pth'))
    config = dumped_config(tiny_data, bad, tmp_path)
    err = run_failing(repo_path('tools/train.py'), config,
                      TORCH_HOME=str(tmp_path / 'torch_home'))
    key = '`model.backbone.init_cfg.checkpoint`'
    if fault == 'truncated':
        assert f"ValueError: {key} = '{bad}' is not a readable torch " \
            'checkpoint' in err
    else:
        assert f'ConnectionError: Cannot download the checkpoint of {key} ' \
            f'from {bad!r}' in err
    assert not osp.exists(tmp_path / 'work')  # before the Runner was built


def test_test_tool_names_a_missing_checkpoint(tiny_data, pretrained_ckpt,
                                              tmp_path):
    config = dumped_config(tiny_data, pretrained_ckpt, tmp_path)
    missing = str(tmp_path / 'epoch_9.pth')
    err = run_failing(repo_path('tools/test.py'), config, missing)
    assert ('FileNotFoundError: The checkpoint of `checkpoint` does not '
            f'exist: {missing!r}') in err
    assert not osp.exists(tmp_path / 'work')


@pytest.fixture
def checkpoint_with_namespace(pretrained_ckpt, tmp_path):
    """A trusted legacy checkpoint: weights plus an argparse.Namespace,
    a type outside the weights_only allow-list."""
    ckpt = torch.load(pretrained_ckpt, weights_only=True)
    ckpt['meta']['args'] = argparse.Namespace(lr=0.1)
    path = str(tmp_path / 'legacy.pth')
    torch.save(ckpt, path)
    return path


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_checkpoint_safe_globals_opt_in(tool, tiny_data, pretrained_ckpt,
                                        checkpoint_with_namespace, tmp_path):
    legacy = checkpoint_with_namespace
    if tool == 'train':
        args = [repo_path('tools/train.py')]
        options = {'load_from': legacy}
        key = 'load_from'
    else:
        args = [repo_path('tools/test.py')]
        options = {}
        key = 'checkpoint'
    refused = dumped_config(tiny_data, pretrained_ckpt, tmp_path, **options)
    tool_args = [legacy] if tool == 'test' else []
    err = run_failing(*args, refused, *tool_args)
    assert (f"UnpicklingError: `{key}` = '{legacy}' holds "
            'argparse.Namespace') in err
    assert "add 'argparse.Namespace' to `checkpoint_safe_globals`" in err

    trusted = dumped_config(
        tiny_data, pretrained_ckpt, tmp_path,
        checkpoint_safe_globals=['argparse.Namespace'], **options)
    out = run_tool(*args, trusted, *tool_args)
    assert f'Load checkpoint from {legacy}' in out
    assert 'accuracy/top1' in out
