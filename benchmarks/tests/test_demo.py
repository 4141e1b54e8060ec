"""tools/demo.py prints one line per phase and its result, the rest goes
to its log; and on a fresh clone, `tools/demo.py --prepare-only` writes what
configs/demo/*.py read, so `tools/train.py configs/demo/softft_digits.py`
trains with no data or checkpoint options (run in a scratch working
directory, as the configs' paths are relative to it)."""
import os.path as osp
import re

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


@pytest.mark.slow
def test_demo_prints_one_line_per_phase_and_logs_the_rest(tmp_path):
    out = run_tool(repo_path('tools/demo.py'), '--shots', '3', '--epochs',
                   '2', '--pretrain-epochs', '1', '--threads', '1',
                   cwd=str(tmp_path))
    lines = out.strip().splitlines()
    assert lines[0].startswith('threads: 1 ')
    phases = [line for line in lines if re.match(r'\[\d/4\] ', line)]
    assert [p[:5] for p in phases] == ['[1/4]', '[2/4]', '[3/4]', '[4/4]']
    assert 'work_dirs/demo/digits_pretrain.pth trained (' in phases[1]
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
