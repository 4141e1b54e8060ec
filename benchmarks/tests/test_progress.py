"""Progress lines: phases with their time and their output in a log,
training progress with the time left, a plan's count and time left."""
import io
import re
import sys
from types import SimpleNamespace

import pytest

from benchmarks.progress import Phases, PlanProgress, ProgressHook, duration


@pytest.mark.parametrize('seconds, text', [
    (0.4, '0 s'), (59.6, '1 min 00 s'), (185, '3 min 05 s'),
    (7620, '2 h 07 min')])
def test_duration(seconds, text):
    assert duration(seconds) == text


def test_phases_print_one_line_each_and_log_the_rest(tmp_path):
    out = io.StringIO()
    with open(tmp_path / 'run.log', 'w') as log:
        phases = Phases(2, log, out)
        with phases.phase('first') as note:
            print('hook table')
            print('a warning', file=sys.stderr)
            note['text'] = 'top-1 50.00 %'
        with pytest.raises(RuntimeError):
            with phases.phase('second'):
                raise RuntimeError('broken')
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r'\[1/2\] first \.\.\. top-1 50\.00 % \(\d+ s\)',
                        lines[0])
    assert re.fullmatch(r'\[2/2\] second \.\.\. failed after \d+ s \(see '
                        r'.*run\.log\)', lines[1])
    assert (tmp_path / 'run.log').read_text() == 'hook table\na warning\n'


def test_progress_hook_prints_every_tenth_with_the_time_left(capsys,
                                                             monkeypatch):
    clock = iter(range(0, 1000, 2))  # 2 s per call
    monkeypatch.setattr('benchmarks.progress.time.perf_counter',
                        lambda: next(clock))
    runner = SimpleNamespace(max_iters=20, max_epochs=4, iter=0, epoch=0)
    hook = ProgressHook('pre-training far')
    hook.before_train(runner)
    for i in range(20):
        runner.iter, runner.epoch = i, i // 5
        hook.after_train_iter(runner, i)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    # 2 s since the start at iteration 2: 1 s each, 18 left
    assert lines[0] == ('pre-training far: 10% (iteration 2/20, epoch 1/4),'
                        ' 2 s, about 18 s left')
    assert lines[-1] == ('pre-training far: 100% (iteration 20/20, epoch '
                         '4/4), 20 s')
    with pytest.raises(ValueError, match='`every` should be in'):
        ProgressHook('x', every=0)


def test_plan_progress_counts_and_estimates_from_trained_runs():
    plan = PlanProgress(total=10)
    assert plan.seconds_left() is None  # nothing trained yet
    plan.skipped()  # a record that existed: no time
    plan.finished(4.0)
    plan.finished(6.0)
    assert plan.counter() == '[3/10]'
    assert plan.seconds_left() == 5.0 * 7
    assert 'about 35 s left' in plan.timing()
    assert 'about 45 s left (+ x)' in plan.timing(10.0, '(+ x)')
    for _ in range(7):
        plan.finished(5.0)
    assert 'left' not in plan.timing()
