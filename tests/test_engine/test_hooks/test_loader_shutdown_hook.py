"""LoaderShutdownHook: a real Runner's persistent loader workers stop when
training ends, and every shipped config keeps the hook, also a derived one
that replaces ``custom_hooks``."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmsoftft.engine import LoaderShutdownHook, read_shutdown_line

from ...conftest import REPO, repo_path, softft_cfg

SHIPPED = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


class WorkerRecorder(Hook):
    """Keeps the worker processes of the train and val loaders."""

    def __init__(self):
        self.workers = {}

    def after_train_epoch(self, runner):
        it = runner.train_dataloader._iterator
        self.workers['train'] = list(it._workers)

    def after_val_epoch(self, runner, metrics=None):
        it = runner.val_dataloader._iterator
        self.workers['val'] = list(it._workers)


def test_persistent_workers_stop_when_training_ends(tiny_data,
                                                    pretrained_ckpt,
                                                    tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1)
    cfg.merge_from_dict({
        'log_level': 'INFO',
        'train_dataloader.num_workers': 2,
        'train_dataloader.persistent_workers': True,
        'val_dataloader.num_workers': 2,
        'val_dataloader.persistent_workers': True,
        'default_hooks.checkpoint': None,
    })
    runner = Runner.from_cfg(cfg)
    hooks = [h for h in runner.hooks if isinstance(h, LoaderShutdownHook)]
    assert len(hooks) == 1  # from default_hooks, the lowest priority
    assert runner.hooks[-1] is hooks[0]
    recorder = WorkerRecorder()
    runner.register_hook(recorder)
    runner.train()
    workers = recorder.workers['train'] + recorder.workers['val']
    assert len(workers) == 4
    assert not any(w.is_alive() for w in workers)
    assert all(w.exitcode == 0 for w in workers)  # stopped, not terminated
    assert runner.train_dataloader._iterator is None
    log = open(osp.join(runner.log_dir, f'{runner.timestamp}.log')).read()
    line = read_shutdown_line(log)
    assert (line['workers'], line['terminated']) == (4, 0)
    assert line['loaders'] == ['train_dataloader', 'val_dataloader']


@pytest.mark.parametrize('timeout, error, message', [
    (-1, ValueError, '`timeout` should be >= 0, but got -1'),
    ('3', TypeError, "finite number of seconds, but got '3'"),
    (float('inf'), TypeError, 'finite number of seconds, but got inf'),
    (True, TypeError, 'finite number of seconds, but got True'),
])
def test_bad_timeout_is_refused(timeout, error, message):
    with pytest.raises(error, match=message):
        LoaderShutdownHook(timeout=timeout)


@pytest.mark.parametrize('path', SHIPPED,
                         ids=[osp.relpath(p, REPO) for p in SHIPPED])
def test_every_shipped_config_enables_it(path):
    hooks = Config.fromfile(path).default_hooks
    assert hooks.loader_shutdown == dict(type='LoaderShutdownHook')


@pytest.mark.parametrize('base', ['configs/demo/finetune_digits.py',
                                  'configs/softft_resnet50_cub.py'])
def test_a_derived_config_with_its_own_custom_hooks_keeps_it(base, tmp_path):
    """``default_hooks`` is a dict, merged on inheritance; replacing the
    ``custom_hooks`` list does not drop the shutdown."""
    config = tmp_path / 'derived.py'
    config.write_text(f"_base_ = ['{repo_path(base)}']\n"
                      "custom_hooks = [dict(type='EMAHook')]\n")
    cfg = Config.fromfile(str(config))
    cfg.work_dir = str(tmp_path / 'work')
    names = [type(h).__name__ for h in Runner.from_cfg(cfg).hooks]
    assert 'EMAHook' in names and 'SoftFineTuneHook' not in names
    assert names.count('LoaderShutdownHook') == 1
