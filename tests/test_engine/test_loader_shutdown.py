"""mmsoftft.engine.loader_shutdown on real DataLoaders with persistent
worker processes: workers stop at once when idle, stuck ones are terminated
after the bounded wait, and the loader can be iterated again."""
import os
import subprocess
import sys
import time

import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from mmsoftft.engine.loader_shutdown import shutdown_loader_workers

from ..conftest import repo_path


class Numbers(Dataset):
    """``n`` tensors; items from ``stuck_from`` on write a file into
    ``marks`` (that a worker is stuck) and sleep ``stuck_s``."""

    def __init__(self, n=8, stuck_from=None, stuck_s=60.0, marks=None):
        self.n, self.stuck_from, self.stuck_s = n, stuck_from, stuck_s
        self.marks = marks

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.stuck_from is not None and i >= self.stuck_from:
            (self.marks / str(i)).touch()
            time.sleep(self.stuck_s)
        return torch.tensor([i])


def wait_for_stuck(marks, n, timeout=20.0):
    """Wait until ``n`` items have made their worker sleep."""
    deadline = time.monotonic() + timeout
    while len(list(marks.iterdir())) < n:
        assert time.monotonic() < deadline, 'workers did not get stuck'
        time.sleep(0.01)


def loader(dataset, workers=2):
    return DataLoader(dataset, batch_size=1, num_workers=workers,
                      persistent_workers=True)


def test_idle_persistent_workers_stop_at_once():
    data = loader(Numbers())
    assert [int(x) for x in data] == list(range(8))
    workers = list(data._iterator._workers)
    # persistent workers outlive the epoch: this is what kept processes up
    assert len(workers) == 2 and all(w.is_alive() for w in workers)
    report = shutdown_loader_workers([data], timeout=3.0)
    assert report['workers'] == 2 and report['terminated'] == 0
    assert report['seconds'] < 2.0
    assert not any(w.is_alive() for w in workers)
    assert all(w.exitcode == 0 for w in workers)
    assert data._iterator is None
    # a second epoch starts new workers; a second shutdown finds nothing
    assert [int(x) for x in data] == list(range(8))
    assert shutdown_loader_workers([data])['workers'] == 2
    assert shutdown_loader_workers([data])['workers'] == 0


def test_stuck_workers_are_terminated_after_the_wait(tmp_path):
    data = loader(Numbers(stuck_from=2, marks=tmp_path))
    it = iter(data)
    assert [int(next(it)), int(next(it))] == [0, 1]
    # both workers sleep in __getitem__ of prefetched items
    wait_for_stuck(tmp_path, 2)
    workers = list(it._workers)
    start = time.perf_counter()
    report = shutdown_loader_workers([it], timeout=0.5)
    assert time.perf_counter() - start < 3.0
    assert (report['workers'], report['terminated']) == (2, 2)
    assert not any(w.is_alive() for w in workers)


def test_several_loaders_share_one_wait(tmp_path):
    iterators = []
    for i in range(3):
        marks = tmp_path / str(i)
        marks.mkdir()
        iterators.append(iter(loader(Numbers(stuck_from=1, marks=marks))))
        next(iterators[-1])
        wait_for_stuck(marks, 2)
    report = shutdown_loader_workers(iterators, timeout=0.5)
    assert report['workers'] == 6 and report['terminated'] == 6
    # one bounded wait for all, not 0.5 s (or torch's 5 s) per worker
    assert report['seconds'] < 3.0


def test_loaders_without_workers_are_skipped():
    single = DataLoader(Numbers(), batch_size=2)
    list(single)
    assert shutdown_loader_workers([single, object()]) == dict(
        workers=0, terminated=0, seconds=pytest.approx(0.0, abs=0.5))


def test_negative_timeout_is_refused():
    with pytest.raises(ValueError, match='`timeout` should be >= 0, but '
                       'got -1'):
        shutdown_loader_workers([], timeout=-1)


# torch 2.11 registers, for each worker of a persistent loader with pinned
# memory (GPU only), an atexit call that joins the worker with a 5 s timeout
# and then terminates it; emulated here (on CPU, with `JOIN_S`) to show what
# the helper changes at exit
EXIT_SCRIPT = '''
import atexit, sys, time
import torch
from torch.utils.data import DataLoader
from mmsoftft.engine.loader_shutdown import shutdown_loader_workers
JOIN_S = 3.0
def clean_up_worker(w):  # torch 2.11's _clean_up_worker, atexit
    try:
        w.join(timeout=JOIN_S)
    finally:
        if w.is_alive():
            w.terminate()
loader = DataLoader(list(range(8)), num_workers=2, persistent_workers=True)
list(loader)
for w in loader._iterator._workers:
    atexit.register(clean_up_worker, w)
if sys.argv[1] == 'helper':
    shutdown_loader_workers([loader])
print(time.monotonic(), flush=True)
'''


@pytest.mark.parametrize('helper', [False, True])
def test_exit_is_not_held_by_atexit_joins(helper, tmp_path):
    script = tmp_path / 'exit.py'
    script.write_text(EXIT_SCRIPT)
    proc = subprocess.run(
        [sys.executable, str(script), 'helper' if helper else 'none'],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=repo_path()))
    exited = time.monotonic()
    assert proc.returncode == 0, proc.stderr
    after_main = exited - float(proc.stdout.split()[-1])
    if helper:  # less than one join timeout, load on this machine included
        assert after_main < 3.0, after_main
    else:  # each idle worker holds the exit for the full join timeout
        assert after_main >= 2 * 3.0, after_main


def test_logged_line_reads_back(capsys):
    from mmengine.logging import MMLogger

    from mmsoftft.engine.loader_shutdown import (
        read_shutdown_line,
        shutdown_runner_loaders,
    )

    class NoLoops:  # a runner that built no loop
        _train_loop = _val_loop = _test_loop = None

    MMLogger.get_instance('loader_shutdown_test', log_level='INFO')
    report = shutdown_runner_loaders(NoLoops())
    assert report['loaders'] == [] and report['workers'] == 0
    line = read_shutdown_line(capsys.readouterr().out)
    assert line == dict(workers=0, loaders=[], seconds=line['seconds'],
                        terminated=0)
    text = ("DataLoader shutdown: 17 worker processes of ['train_dataloader'"
            ", 'val_dataloader'] stopped in 0.12 s (1 terminated)")
    assert read_shutdown_line(text) == dict(
        workers=17, loaders=['train_dataloader', 'val_dataloader'],
        seconds=0.12, terminated=1)
    assert read_shutdown_line('nothing here') is None
