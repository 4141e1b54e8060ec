"""mmsoftft/known_warnings.py: a training run of the demo config through
tools/train.py shows neither the pkg_resources nor the mmcv-lite warning,
which the same process without mmsoftft shows."""
import os
import subprocess
import sys

from .conftest import repo_path

PKG_RESOURCES = 'pkg_resources is deprecated as an API'
MMCV_LITE = 'Fail to import ``MultiScaleDeformableAttention``'

# What mmsoftft's import and a config with mmpretrain:: bases trigger,
# without mmsoftft.
WITHOUT_MMSOFTFT = '''
import mmpretrain.models
from mmengine.config import Config
Config.fromfile({config!r})
'''


def run_python(*args):
    # Python's default warning filters: nothing set by pytest or the caller
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONWARNINGS'}
    env['PYTHONPATH'] = repo_path()
    proc = subprocess.run([sys.executable, *args], cwd=repo_path(), env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_demo_training_log_has_neither_warning(tiny_data, pretrained_ckpt,
                                               tmp_path):
    config = repo_path('configs/demo/softft_digits.py')
    # the check can see them: without mmsoftft both are printed
    plain = run_python('-c', WITHOUT_MMSOFTFT.format(config=config))
    assert PKG_RESOURCES in plain and MMCV_LITE in plain
    log = run_python(
        repo_path('tools/train.py'), config, '--work-dir',
        str(tmp_path / 'work'), '--no-persistent-workers', '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={pretrained_ckpt}',
        'model.head.num_classes=3', 'model.source_head.num_classes=3',
        'data_preprocessor.num_classes=3', 'train_dataloader.batch_size=4',
        'train_dataloader.batch_sampler.source_batch_size=4',
        'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
        f'train_dataloader.dataset.source.data_root={tiny_data["source"]}',
        f'train_dataloader.dataset.target.data_root={tiny_data["target"]}',
        f'val_dataloader.dataset.data_root={tiny_data["target"]}',
        'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1')
    assert 'Epoch(train) [1][3/3]' in log  # it trained
    assert PKG_RESOURCES not in log
    assert MMCV_LITE not in log
