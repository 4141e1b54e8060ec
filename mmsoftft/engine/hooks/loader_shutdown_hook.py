"""Hook that stops the loaders' worker processes when a run ends."""
import math
from numbers import Real

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from ..loader_shutdown import shutdown_runner_loaders

__all__ = ['LoaderShutdownHook']


@HOOKS.register_module()
class LoaderShutdownHook(Hook):
    """Stop the train, val and test loaders' worker processes in
    ``after_run``, while the interpreter is healthy.

    With ``persistent_workers=True`` (``tools/train.py``'s default) the
    workers outlive the run, and some torch releases join them one after
    the other at interpreter exit with a 5 s timeout each, after the last
    checkpoint is written (see :mod:`mmsoftft.engine.loader_shutdown`).
    This hook runs torch's own shutdown sequence for all loaders at once,
    within ``timeout`` seconds, when ``Runner.train``, ``Runner.val`` or
    ``Runner.test`` returns, and logs one line::

        DataLoader shutdown: 4 worker processes of ['train_dataloader',
        'val_dataloader'] stopped in 0.05 s (0 terminated)

    A run that raises never reaches ``after_run``: its workers are left to
    torch's exit handling, as without the hook.

    The shipped runtime (``configs/_base_/softft_runtime.py``) enables it
    as ``default_hooks.loader_shutdown``, so a config derived from a shipped
    one keeps it when it replaces ``custom_hooks``. mmengine registers any
    extra key of ``default_hooks`` but refuses ``None`` for a key it does
    not know itself, so to change it give another dict, e.g.
    ``default_hooks = dict(loader_shutdown=dict(type='LoaderShutdownHook',
    timeout=10.0))``.

    Args:
        timeout (float): Seconds to wait, in total, for the workers to stop
            by themselves; those still alive then are terminated.
            Defaults to 3.0.
    """

    # after every other hook's after_run (checkpoint uploads, loggers)
    priority = 'LOWEST'

    def __init__(self, timeout: float = 3.0):
        if isinstance(timeout, bool) or not isinstance(timeout, Real) \
                or not math.isfinite(timeout):
            raise TypeError('`timeout` should be a finite number of seconds,'
                            f' but got {timeout!r}')
        if timeout < 0:
            raise ValueError(f'`timeout` should be >= 0, but got {timeout}')
        self.timeout = float(timeout)

    def after_run(self, runner) -> None:
        """Stop the workers of every loader the runner built."""
        shutdown_runner_loaders(runner, self.timeout)
