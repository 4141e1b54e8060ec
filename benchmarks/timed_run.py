"""Run a tool as a subprocess and time its exit after an event.

Used to measure how long ``tools/train.py`` stays alive after writing its
last checkpoint (the end-to-end benchmark and the tests).
"""
import os
import os.path as osp
import signal
import subprocess
import time
from typing import Callable, Optional, Sequence

__all__ = ['last_checkpoint_is', 'run_until_exit']


def last_checkpoint_is(work_dir: str, name: str) -> Callable[[], bool]:
    """A check that ``work_dir/last_checkpoint`` names the file ``name``
    (mmengine writes it once the checkpoint is saved)."""
    path = osp.join(work_dir, 'last_checkpoint')

    def saved() -> bool:
        try:
            with open(path) as f:
                return osp.basename(f.read().strip()) == name
        except OSError:
            return False

    return saved


def run_until_exit(cmd: Sequence[str],
                   log_file: str,
                   event: Callable[[], bool],
                   timeout: float = 600.0,
                   env: Optional[dict] = None,
                   cwd: Optional[str] = None,
                   poll_s: float = 0.02) -> dict:
    """Run ``cmd``, its output to ``log_file``, polling ``event()``.

    Args:
        cmd (Sequence[str]): The command.
        log_file (str): Where stdout and stderr go (a pipe nobody reads
            while polling could fill up and block the process).
        event (Callable[[], bool]): Polled every ``poll_s`` seconds until
            it first returns True.
        timeout (float): Seconds after which the process group is killed.
            Defaults to 600.
        env (dict, optional): Environment. Defaults to None (inherit).
        cwd (str, optional): Working directory. Defaults to None.
        poll_s (float): Polling interval in seconds. Defaults to 0.02.

    Returns:
        dict: ``returncode`` (None if killed at the timeout), ``output``,
        ``wall_s`` (start to exit), ``left_behind`` (whether processes it
        started outlived it; they are killed) and ``exit_after_event_s``
        (first time ``event()`` was true to exit; None if it never was).
    """
    start = time.monotonic()
    seen = None
    with open(log_file, 'w') as log:
        # own process group: a timeout also ends the loader workers
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, start_new_session=True)
        try:
            while proc.poll() is None and time.monotonic() - start < timeout:
                if seen is None and event():
                    seen = time.monotonic()
                time.sleep(poll_s)
            ended = time.monotonic()
            returncode = proc.poll()
        finally:
            # whatever ends this call, nothing of the run stays alive; what
            # is found after a normal exit (e.g. loader workers) is reported
            try:
                os.killpg(proc.pid, signal.SIGKILL)
                left_behind = proc.returncode is not None
            except ProcessLookupError:
                left_behind = False
            proc.wait()
    if seen is None and event():  # happened in the last polling interval
        seen = ended
    with open(log_file, errors='replace') as f:
        output = f.read()
    return dict(returncode=returncode, output=output,
                wall_s=ended - start, left_behind=left_behind,
                exit_after_event_s=None if seen is None else ended - seen)
