"""tools/demo.py prints one line per phase and its result, the rest goes
to its log; and on a fresh clone, `tools/demo.py --prepare-only` writes what
configs/demo/*.py read, so `tools/train.py configs/demo/softft_digits.py`
trains with no data or checkpoint options (run in a scratch working
directory, as the configs' paths are relative to it)."""
import json
import os.path as osp
import re

import pytest
import torch

from benchmarks import demo_data
from benchmarks.demo_data import pretrain_demo_model, pretrain_settings
from tests.conftest import repo_path, run_tool

CONFIGS = repo_path('configs', 'demo')


@pytest.fixture
def fake_training(monkeypatch, tmp_path):
    """pretrain_demo_model in ``tmp_path`` (the configs' relative paths
    land there), its training replaced by one that writes a checkpoint
    naming its epochs and counts the calls."""
    monkeypatch.chdir(tmp_path)
    calls = []

    def run_training(config, work_dir, options):
        epochs = options.get('train_cfg.max_epochs', 'config')
        path = tmp_path / f'trained_{len(calls)}.pth'
        path.write_text(str(epochs))
        calls.append(epochs)
        return dict(checkpoint=str(path))

    monkeypatch.setattr(demo_data, 'run_training', run_training)
    return calls, tmp_path / 'work_dirs/demo/digits_pretrain.pth'


def test_the_pre_trained_model_is_cached_under_its_settings(fake_training):
    calls, checkpoint = fake_training
    first = pretrain_demo_model(CONFIGS, 1)
    assert first['trained'] and calls == [1]
    assert first['note'].endswith('digits_pretrain.pth trained for 1 epoch')
    assert json.loads(checkpoint.with_suffix('.pth.json').read_text()) == \
        pretrain_settings(CONFIGS, 1)
    # the same flags: reused
    again = pretrain_demo_model(CONFIGS, 1)
    assert not again['trained'] and calls == [1]
    assert 'exists (trained for 1 epoch), not trained again' in again['note']
    # other epochs, or the config's: trained again, and said why
    other = pretrain_demo_model(CONFIGS, 2)
    assert other['trained'] and calls == [1, 2]
    assert checkpoint.read_text() == '2'
    assert "made with other settings: {'epochs': 1" in other['note']
    assert pretrain_demo_model(CONFIGS)['trained'] and calls[-1] == 'config'
    assert pretrain_settings(CONFIGS)['epochs'] == 10  # the config's
    assert not pretrain_demo_model(CONFIGS)['trained']
    # a checkpoint with no record: kept, loudly; --retrain replaces it
    checkpoint.with_suffix('.pth.json').unlink()
    kept = pretrain_demo_model(CONFIGS, 3)
    assert not kept['trained'] and len(calls) == 3
    assert 'WITHOUT a record of how it was trained' in kept['note']
    assert '--retrain replaces it' in kept['note']
    forced = pretrain_demo_model(CONFIGS, 3, retrain=True)
    assert forced['trained'] and calls[-1] == 3
    assert forced['note'].endswith('trained for 3 epochs (--retrain)')
    assert not pretrain_demo_model(CONFIGS, 3)['trained']


def test_the_settings_follow_the_config():
    one, two = pretrain_settings(CONFIGS, 1), pretrain_settings(CONFIGS, 2)
    assert (one['epochs'], two['epochs']) == (1, 2)
    assert one['config'] != two['config']
    assert pretrain_settings(CONFIGS, 1) == one


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


@pytest.mark.slow
def test_demo_prints_one_line_per_phase_and_logs_the_rest(tmp_path):
    out = run_tool(repo_path('tools/demo.py'), '--shots', '3', '--epochs',
                   '2', '--pretrain-epochs', '1', '--threads', '1',
                   cwd=str(tmp_path))
    lines = out.strip().splitlines()
    assert lines[0].startswith('threads: 1 ')
    phases = [line for line in lines if re.match(r'\[\d/4\] ', line)]
    assert [p[:5] for p in phases] == ['[1/4]', '[2/4]', '[3/4]', '[4/4]']
    assert 'work_dirs/demo/digits_pretrain.pth trained for 1 epoch (' in \
        phases[1]
    # the result lines, as before the phases existed
    result = re.search(
        r'plain fine-tuning  top-1: +([\d.]+) %  \(\d+ s\)\n'
        r'soft fine-tuning   top-1: +([\d.]+) %  \(\d+ s\)\n'
        r'difference \(soft - plain\): ([-+][\d.]+) points', out)
    plain, soft, diff = (float(v) for v in result.groups())
    assert diff == pytest.approx(soft - plain, abs=0.011)
    assert f'top-1 {plain:.2f} %' in phases[2]
    assert f'top-1 {soft:.2f} %' in phases[3]
    assert len(lines) <= 12  # no hook tables, no per-iteration logs
    log = (tmp_path / 'work_dirs/demo/demo.log').read_text()
    assert 'Hooks will be executed in the following order' in log
    assert 'source_weight' in log  # the soft run's iteration logs
    assert 'Hooks will be executed' not in out
