"""benchmarks.threads: --threads sets torch's thread count and the
OpenMP/MKL environment, and a bad count is a clear error."""
import argparse
import os
import subprocess
import sys

import pytest
import torch

from benchmarks.threads import (
    DEFAULT_THREADS,
    add_threads_argument,
    pin_threads,
)
from tests.conftest import repo_path


@pytest.fixture
def restore_threads(monkeypatch):
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        monkeypatch.delenv(var, raising=False)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_flag_defaults_to_a_fixed_count():
    parser = argparse.ArgumentParser()
    add_threads_argument(parser)
    assert parser.parse_args([]).threads == DEFAULT_THREADS == 2
    assert parser.parse_args(['--threads', '1']).threads == 1


def test_pin_threads_sets_torch_and_env(restore_threads, capsys):
    assert pin_threads(1) == 1
    assert torch.get_num_threads() == 1
    assert os.environ['OMP_NUM_THREADS'] == os.environ['MKL_NUM_THREADS'] \
        == '1'
    assert capsys.readouterr().out.startswith('threads: 1 ')


@pytest.mark.parametrize('bad', [0, -2, 1.5, '2', True])
def test_bad_thread_count_is_refused(bad, restore_threads):
    with pytest.raises(ValueError,
                       match=r'`--threads` should be an int >= 1, but got'):
        pin_threads(bad)


@pytest.mark.parametrize(
    'tool', ['demo.py', 'benchmark_transfer.py', 'benchmark_speed.py'])
def test_tools_take_the_flag(tool):
    proc = subprocess.run(
        [sys.executable, repo_path('tools', tool), '--help'],
        capture_output=True, text=True, timeout=120, cwd=repo_path())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '--threads THREADS' in proc.stdout
    assert f'(default: {DEFAULT_THREADS})' in ' '.join(proc.stdout.split())
