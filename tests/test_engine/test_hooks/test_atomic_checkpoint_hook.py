"""A kill while a checkpoint is written never leaves a truncated or missing
file as the checkpoint that ``--resume auto`` picks."""
import os.path as osp

import mmengine.runner.runner as runner_module
import pytest
import torch
from mmengine.runner import Runner, find_latest_checkpoint

from ...conftest import softft_cfg


class Killed(BaseException):
    """Stands for SIGKILL arriving in the middle of a save."""


def run_with_kill_on_second_save(cfg, monkeypatch):
    real_save = runner_module.save_checkpoint
    calls = []

    def dying_save(checkpoint, filename, *args, **kwargs):
        calls.append(filename)
        if len(calls) == 2:
            real_save(checkpoint, filename, *args, **kwargs)
            data = open(filename, 'rb').read()
            open(filename, 'wb').write(data[:len(data) // 3])  # truncated
            raise Killed()
        return real_save(checkpoint, filename, *args, **kwargs)

    monkeypatch.setattr(runner_module, 'save_checkpoint', dying_save)
    with pytest.raises(Killed):
        Runner.from_cfg(cfg).train()
    return calls


@pytest.mark.parametrize('max_keep', [1, -1])
def test_latest_checkpoint_survives_a_kill(tiny_data, pretrained_ckpt,
                                           tmp_path, monkeypatch, max_keep):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=3)
    cfg.default_hooks.checkpoint.max_keep_ckpts = max_keep
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    calls = run_with_kill_on_second_save(cfg, monkeypatch)
    assert calls[1].endswith('epoch_2.pth.part')
    latest = find_latest_checkpoint(str(tmp_path))
    assert osp.basename(latest) == 'epoch_1.pth'
    assert not osp.exists(tmp_path / 'epoch_2.pth')
    ckpt = torch.load(latest, weights_only=True)
    assert ckpt['meta']['epoch'] == 1
    # and the run resumes from it
    monkeypatch.undo()
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 3
    assert osp.basename(find_latest_checkpoint(str(tmp_path))) == \
        'epoch_3.pth'


def test_stock_hook_loses_the_latest_checkpoint(tiny_data, pretrained_ckpt,
                                                tmp_path, monkeypatch):
    """Why the hook exists: mmengine's deletes the old file first.

    Documents mmengine's own ``CheckpointHook`` (no change in mmsoftft can
    make this fail); the project's hook is tested by
    ``test_latest_checkpoint_survives_a_kill`` and
    ``test_atomic_checkpoint_kill.py``."""
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=3)
    cfg.default_hooks.checkpoint.type = 'CheckpointHook'
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    run_with_kill_on_second_save(cfg, monkeypatch)
    latest = find_latest_checkpoint(str(tmp_path))
    assert not osp.exists(latest)  # epoch_1.pth was deleted
    assert osp.exists(tmp_path / 'epoch_2.pth')  # and this one is truncated
