"""tools/train.py and tools/test.py stop their loaders' persistent worker
processes themselves and exit within seconds of the last checkpoint."""
import os
import os.path as osp
import re
import subprocess
import sys
import time

from ..conftest import repo_path

# 2 workers per loader, persistent (tools/train.py's default, like
# pin_memory), validation after the last checkpoint
OPTIONS = {
    'model.head.num_classes': 3,
    'data_preprocessor.num_classes': 3,
    'train_dataloader.batch_size': 4,
    'train_dataloader.num_workers': 2,
    'train_dataloader.persistent_workers': True,
    'val_dataloader.num_workers': 2,
    'val_dataloader.persistent_workers': True,
    'test_dataloader.num_workers': 2,
    'test_dataloader.persistent_workers': True,
    'train_cfg.max_epochs': 2,
    'train_cfg.val_interval': 2,
    'param_scheduler.0.end': 2,
    'param_scheduler.0.T_max': 2,
    'default_hooks.checkpoint.interval': 1,
}
SHUTDOWN = re.compile(r'DataLoader shutdown: (\d+) worker processes of '
                      r'\[(.*)\] stopped in ([\d.]+) s \((\d+) terminated\)')


def run_until_exit(args, watch):
    """Run a tool; return (output, seconds from ``watch()`` first being
    true to the process's exit)."""
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.Popen([sys.executable, *args], cwd=repo_path(),
                            env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seen = None
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if seen is None and watch():
            seen = time.monotonic()
        time.sleep(0.02)
    ended = time.monotonic()
    if proc.poll() is None:
        proc.kill()
    out = proc.communicate()[0]
    assert proc.returncode == 0, out[-4000:]
    assert seen is not None, 'the watched event never happened'
    return out, ended - seen


def test_train_and_test_exit_soon_after_the_last_checkpoint(
        tiny_data, pretrained_ckpt, tmp_path):
    work = str(tmp_path / 'work')
    options = dict(
        OPTIONS, **{
            'model.backbone.init_cfg.checkpoint': pretrained_ckpt,
            'train_dataloader.dataset.data_root': tiny_data['target'],
            'val_dataloader.dataset.data_root': tiny_data['target'],
            'test_dataloader.dataset.data_root': tiny_data['target'],
        })
    cli = ['--cfg-options', *[f'{k}={v}' for k, v in options.items()]]
    config = repo_path('configs/demo/finetune_digits.py')
    last = osp.join(work, 'last_checkpoint')

    def last_checkpoint_saved():
        return osp.exists(last) and open(last).read().strip().endswith(
            'epoch_2.pth')

    out, after_ckpt = run_until_exit(
        [repo_path('tools/train.py'), config, '--work-dir', work, *cli],
        last_checkpoint_saved)
    workers, names, _, terminated = SHUTDOWN.search(out).groups()
    assert (workers, terminated) == ('4', '0')
    assert names == "'train_dataloader', 'val_dataloader'"
    assert 'accuracy/top1' in out
    # includes the final validation (new val workers) and interpreter exit
    assert after_ckpt < 6.0, after_ckpt

    out, _ = run_until_exit([
        repo_path('tools/test.py'), config, osp.join(work, 'epoch_2.pth'),
        '--work-dir', work, *cli
    ], lambda: True)
    workers, names, _, terminated = SHUTDOWN.search(out).groups()
    assert (workers, names, terminated) == ('2', "'test_dataloader'", '0')
    assert 'accuracy/top1' in out
