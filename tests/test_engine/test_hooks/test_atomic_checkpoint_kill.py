"""A kill after AtomicCheckpointHook renamed ``epoch_N.pth`` into place but
before ``last_checkpoint`` names it: ``tools/train.py --resume`` picks a
complete checkpoint and finishes the run."""
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

import mmsoftft.engine.hooks.atomic_checkpoint_hook as hook_module

from ...conftest import dump_tool_config, repo_path, run_tool, softft_cfg


class Killed(BaseException):
    """Stands for SIGKILL arriving in the middle of a save."""


@pytest.mark.parametrize('max_keep', [1, -1])
def test_kill_before_last_checkpoint_update(tiny_data, pretrained_ckpt,
                                            tmp_path, monkeypatch, max_keep):
    work = tmp_path / 'work'
    cfg = softft_cfg(tiny_data, pretrained_ckpt, work, max_epochs=2)
    cfg.default_hooks.checkpoint.max_keep_ckpts = max_keep
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    config = dump_tool_config(cfg, tmp_path / 'softft_tiny.py')
    real_update = hook_module.atomic_write_text
    updates = []

    def dying_update(path, text):
        updates.append(text)
        if len(updates) == 2:  # the save of epoch 2
            with open(f'{path}.part', 'w') as f:
                f.write(text[:len(text) // 2])  # half of the new content
            raise Killed()
        real_update(path, text)

    monkeypatch.setattr(hook_module, 'atomic_write_text', dying_update)
    with pytest.raises(Killed):
        Runner.from_cfg(cfg).train()
    monkeypatch.undo()

    # epoch 2 is complete and in place; last_checkpoint still names epoch 1,
    # which was not deleted (max_keep_ckpts=1 deletes after the update)
    assert updates[1] == str(work / 'epoch_2.pth')
    assert torch.load(work / 'epoch_2.pth',
                      weights_only=True)['meta']['epoch'] == 2
    assert (work / 'last_checkpoint').read_text() == str(work / 'epoch_1.pth')
    assert torch.load(work / 'epoch_1.pth',
                      weights_only=True)['meta']['epoch'] == 1

    out = run_tool(repo_path('tools/train.py'), config, '--resume')
    assert f'Auto resumed from the latest checkpoint {work}/epoch_1.pth' \
        in out
    assert 'resumed epoch: 1' in out
    assert torch.load(work / 'epoch_2.pth',
                      weights_only=True)['meta']['epoch'] == 2
    assert (work / 'last_checkpoint').read_text() == str(work / 'epoch_2.pth')
    assert osp.exists(work / 'epoch_1.pth') == (max_keep == -1)
