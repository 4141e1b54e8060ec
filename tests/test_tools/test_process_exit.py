"""tools/train.py and tools/test.py on a shipped config stop their loaders'
persistent worker processes (LoaderShutdownHook, in the configs'
``default_hooks``) and exit within seconds of the last checkpoint."""
import os
import os.path as osp
import sys

from benchmarks.timed_run import last_checkpoint_is, run_until_exit
from mmsoftft.engine import read_shutdown_line

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


def run_tool(args, work, event=lambda: True):
    """Run a tool to its exit; return (output, seconds from ``event()``
    first being true to the exit)."""
    result = run_until_exit(
        [sys.executable, *args], osp.join(work, 'tool.log'), event,
        timeout=300, env=dict(os.environ, PYTHONWARNINGS='ignore'),
        cwd=repo_path())
    assert result['returncode'] == 0, result['output'][-4000:]
    assert result['exit_after_event_s'] is not None, 'no event seen'
    assert not result['left_behind']
    return result['output'], result['exit_after_event_s']


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
    out, after_ckpt = run_tool(
        [repo_path('tools/train.py'), config, '--work-dir', work, *cli],
        str(tmp_path), last_checkpoint_is(work, 'epoch_2.pth'))
    shutdown = read_shutdown_line(out)
    assert (shutdown['workers'], shutdown['terminated']) == (4, 0)
    assert shutdown['loaders'] == ['train_dataloader', 'val_dataloader']
    assert 'accuracy/top1' in out
    # includes the final validation (new val workers) and interpreter exit
    assert after_ckpt < 6.0, after_ckpt

    out, _ = run_tool([
        repo_path('tools/test.py'), config, osp.join(work, 'epoch_2.pth'),
        '--work-dir', work, *cli
    ], str(tmp_path))
    shutdown = read_shutdown_line(out)
    assert (shutdown['workers'], shutdown['terminated']) == (2, 0)
    assert shutdown['loaders'] == ['test_dataloader']
    assert 'accuracy/top1' in out
