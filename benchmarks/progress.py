"""Progress a person can follow: phases with their time, training progress
with the time left, and a plan of runs with its time left.

- :class:`Phases`: one line per phase with its elapsed time; what the
  phase prints (mmengine's hook tables, per-iteration logs, warnings) goes
  to a log file instead of the terminal (``tools/demo.py``).
- :class:`ProgressHook`: one line every tenth of a training run (iteration,
  epoch, elapsed, time left), e.g. a source model's pre-training.
- :class:`PlanProgress`: ``[done/total]`` and the time left of a plan of
  runs, from the mean time of the runs trained so far
  (``tools/benchmark_methods.py``).
"""
import contextlib
import sys
import time
from typing import Optional, TextIO

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

__all__ = ['PlanProgress', 'Phases', 'ProgressHook', 'duration']


def duration(seconds: float) -> str:
    """``'42 s'``, ``'3 min 05 s'`` or ``'2 h 07 min'``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f'{seconds} s'
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f'{minutes} min {seconds:02d} s'
    hours, minutes = divmod(minutes, 60)
    return f'{hours} h {minutes:02d} min'


class Phases:
    """Print one line per phase, ``[i/n] title ... note (elapsed)``; inside
    a phase, ``sys.stdout`` and ``sys.stderr`` write to ``log``.

    Args:
        total (int): Number of phases.
        log (TextIO): Where the phases' own output goes.
        out (TextIO, optional): Where the phase lines go. Defaults to the
            ``sys.stdout`` of the call.
    """

    def __init__(self, total: int, log: TextIO,
                 out: Optional[TextIO] = None):
        self.total = total
        self.log = log
        self.out = out or sys.stdout
        self.index = 0

    @contextlib.contextmanager
    def phase(self, title: str):
        """Run the ``with`` body as the next phase; it may set
        ``note['text']``, printed after the title."""
        self.index += 1
        print(f'[{self.index}/{self.total}] {title} ...', end='',
              file=self.out, flush=True)
        note = dict(text='done')
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(self.log), \
                    contextlib.redirect_stderr(self.log):
                yield note
        except BaseException:
            print(f' failed after {duration(time.perf_counter() - start)}'
                  f' (see {self.log.name})', file=self.out, flush=True)
            raise
        finally:
            self.log.flush()
        print(f' {note["text"]} ({duration(time.perf_counter() - start)})',
              file=self.out, flush=True)


@HOOKS.register_module()
class ProgressHook(Hook):
    """Print a line every ``every`` of the training's iterations:
    ``label: 30% (iteration 90/300, epoch 3/10), 25 s, about 58 s left``.

    The time left is the time per iteration so far times the iterations
    left (validation included as it came). It prints to ``sys.stdout``,
    whatever the runner's ``log_level``; it draws no random number.

    Args:
        label (str): What is trained, at the start of each line.
        every (float): Fraction of the iterations between lines, in
            (0, 1]. Defaults to 0.1.
    """

    priority = 'LOWEST'

    def __init__(self, label: str, every: float = 0.1):
        if not 0 < every <= 1:
            raise ValueError(f'`every` should be in (0, 1], but got {every}')
        self.label = label
        self.every = every
        self._start = 0.0
        self._interval = 1

    def before_train(self, runner) -> None:
        self._start = time.perf_counter()
        self._interval = max(1, round(runner.max_iters * self.every))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        done, total = runner.iter + 1, runner.max_iters
        if done % self._interval and done != total:
            return
        elapsed = time.perf_counter() - self._start
        left = elapsed / done * (total - done)
        epoch = f', epoch {runner.epoch + 1}/{runner.max_epochs}' \
            if runner.max_epochs else ''
        print(f'{self.label}: {100 * done // total}% (iteration {done}/'
              f'{total}{epoch}), {duration(elapsed)}'
              + (f', about {duration(left)} left' if done < total else ''),
              flush=True)


class PlanProgress:
    """Count the runs of a plan and estimate the time left.

    Runs that already have a record count as done but not for the time per
    run, which is the mean of the runs trained in this process.

    Args:
        total (int): Runs in the plan.
    """

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.trained = 0
        self.run_seconds = 0.0
        self.start = time.perf_counter()

    def skipped(self) -> None:
        """A run whose record existed."""
        self.done += 1

    def finished(self, seconds: float) -> None:
        """A run trained in ``seconds``."""
        self.done += 1
        self.trained += 1
        self.run_seconds += seconds

    def seconds_left(self) -> Optional[float]:
        """Mean time per trained run times the runs left; None before the
        first trained run."""
        if not self.trained:
            return None
        return self.run_seconds / self.trained * (self.total - self.done)

    def counter(self) -> str:
        """``[done/total]``."""
        return f'[{self.done}/{self.total}]'

    def timing(self, extra_seconds: float = 0.0, extra: str = '') -> str:
        """The elapsed time and the time left (``extra_seconds`` added,
        ``extra`` said after it)."""
        text = f'{duration(time.perf_counter() - self.start)} elapsed'
        left = self.seconds_left()
        if self.done < self.total and left is not None:
            text += f', about {duration(left + extra_seconds)} left'
        return text + (f' {extra}' if extra else '')
