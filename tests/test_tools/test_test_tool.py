"""tools/test.py's --amp-dtype and --channels-last: what they set in the
config (as tools/train.py's flags do) and a run of the tool with both."""
import importlib.util
import pickle
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from ..conftest import repo_path, run_tool


def load_tool():
    # loaded by path: `test` would be Python's own test package
    spec = importlib.util.spec_from_file_location('test_tool',
                                                  repo_path('tools/test.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merged(monkeypatch, config, *flags):
    tool = load_tool()
    monkeypatch.setattr(sys, 'argv', ['test.py', config, 'ckpt.pth', *flags])
    args = tool.parse_args()
    return tool.merge_args(Config.fromfile(config), args)


@pytest.mark.parametrize('config, model_type', [
    ('configs/demo/finetune_digits.py', 'ChannelsLastImageClassifier'),
    ('configs/demo/softft_digits.py', 'SoftFineTuneClassifier'),
    ('configs/demo/l2sp_digits.py', 'L2SPClassifier'),
])
def test_flags_set_the_config(monkeypatch, config, model_type):
    cfg = merged(monkeypatch, repo_path(config), '--amp', '--amp-dtype',
                 'bfloat16', '--channels-last')
    assert cfg.test_cfg == dict(fp16=True, type='AmpTestLoop',
                                dtype='bfloat16')
    assert cfg.model.type == model_type and cfg.model.channels_last is True
    cfg = merged(monkeypatch, repo_path(config), '--amp')
    assert cfg.test_cfg == dict(fp16=True)  # mmengine's TestLoop, as before
    assert 'channels_last' not in cfg.model


def test_flags_reach_the_tta_model(monkeypatch):
    cfg = merged(monkeypatch, repo_path('configs/demo/finetune_digits.py'),
                 '--tta', '--channels-last')
    assert cfg.model.type == 'mmpretrain.AverageClsScoreTTA'
    assert cfg.model.module.type == 'ChannelsLastImageClassifier'


def test_amp_dtype_needs_amp(monkeypatch):
    with pytest.raises(ValueError, match='--amp-dtype needs --amp'):
        merged(monkeypatch, repo_path('configs/demo/finetune_digits.py'),
               '--amp-dtype', 'bfloat16')


def test_tool_runs_with_bf16_and_channels_last(tiny_data, pretrained_ckpt,
                                               tmp_path):
    """The pre-trained 3-class model tested by the plain demo config: the
    flags give bf16 scores (close to, not equal to, fp32's) and the same
    metric keys."""
    out = {}
    for name, flags in (('fp32', []), ('bf16', ['--amp', '--amp-dtype',
                                                'bfloat16',
                                                '--channels-last'])):
        run_tool(repo_path('tools/test.py'),
                 repo_path('configs/demo/finetune_digits.py'),
                 pretrained_ckpt, '--work-dir', str(tmp_path / name),
                 '--out', str(tmp_path / f'{name}.pkl'), *flags,
                 '--cfg-options', 'model.head.num_classes=3',
                 f'test_dataloader.dataset.data_root={tiny_data["target"]}',
                 'test_dataloader.num_workers=0')
        with open(tmp_path / f'{name}.pkl', 'rb') as f:
            out[name] = np.stack([
                torch.as_tensor(p['pred_score']).float().numpy()
                for p in pickle.load(f)
            ])
    assert out['bf16'].shape == out['fp32'].shape
    gap = np.abs(out['bf16'] - out['fp32']).max()
    assert 0 < gap < 0.05  # bf16 rounding, not another model
