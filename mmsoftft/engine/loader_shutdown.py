"""Stop DataLoader worker processes explicitly when a run is over.

A DataLoader with ``persistent_workers=True`` keeps its iterator, and with it
its worker processes and (with ``pin_memory=True`` on a GPU) its pin-memory
thread, until the iterator is garbage collected. At interpreter exit that is
too late for an orderly shutdown: ``_shutdown_workers`` does nothing once
Python is exiting, and older torch releases (2.11 among them) instead
register, per worker of a persistent pinned loader, an ``atexit`` call that
joins the worker with a 5 s timeout and then terminates it. The workers were
never told to stop, so every join waits the full 5 s: 15 workers keep the
process alive for over a minute after the last checkpoint.

:func:`shutdown_loader_workers` runs torch's own shutdown sequence
(``_MultiProcessingDataLoaderIter._shutdown_workers``: stop the pin-memory
thread, set the workers' done event, send each worker its stop signal, join)
while the interpreter is healthy, for all loaders at once and within a
bounded wait; workers still alive after it are terminated. Training itself
keeps persistent workers and pinned memory. :class:`LoaderShutdownHook` calls
:func:`shutdown_runner_loaders` when a run ends; :func:`read_shutdown_line`
reads the line it logs back from a log (e.g. a benchmark's).
"""
import re
import threading
import time
from typing import Iterable, List, Optional

from mmengine.logging import print_log
from torch.utils.data import DataLoader
from torch.utils.data.dataloader import _MultiProcessingDataLoaderIter

__all__ = [
    'read_shutdown_line', 'shutdown_loader_workers', 'shutdown_runner_loaders'
]

SHUTDOWN_LINE = re.compile(
    r'DataLoader shutdown: (\d+) worker processes of (\[.*?\]|no loader) '
    r'stopped in ([\d.]+) s \((\d+) terminated\)')


def _worker_iterators(item) -> List[_MultiProcessingDataLoaderIter]:
    """The live multi-process iterators a loader-like object holds."""
    if isinstance(item, _MultiProcessingDataLoaderIter):
        return [item]
    found = []
    # a DataLoader keeps its persistent iterator in ``_iterator``;
    # mmengine's _InfiniteDataloaderIterator (IterBasedTrainLoop) keeps a
    # possibly non-persistent one there too
    inner = getattr(item, '_iterator', None)
    if isinstance(inner, _MultiProcessingDataLoaderIter):
        found.append(inner)
    return found


def shutdown_loader_workers(loaders: Iterable, timeout: float = 3.0) -> dict:
    """Shut down the worker processes of the given loaders now.

    Args:
        loaders (Iterable): DataLoaders, their iterators, or objects that
            hold a DataLoader iterator in ``_iterator`` (mmengine's
            ``_InfiniteDataloaderIterator``). Loaders without live workers
            are skipped.
        timeout (float): Seconds to wait, in total, for the workers to stop
            by themselves; those still alive then are terminated.
            Defaults to 3.0.

    Returns:
        dict: ``workers`` (worker processes found alive), ``terminated``
        (how many had to be terminated) and ``seconds`` (time taken).

    Raises:
        ValueError: If ``timeout`` is negative.
    """
    if timeout < 0:
        raise ValueError(f'`timeout` should be >= 0, but got {timeout}')
    start = time.perf_counter()
    loaders = list(loaders)
    iterators = []
    for item in loaders:
        for it in _worker_iterators(item):
            if it not in iterators and not it._shutdown:
                iterators.append(it)
    workers = [w for it in iterators for w in it._workers if w.is_alive()]
    # torch's sequence, one thread per iterator: all loaders stop at once
    # and a stuck worker or pin-memory thread cannot hold this call
    threads = [
        threading.Thread(target=it._shutdown_workers, daemon=True,
                         name='loader-shutdown') for it in iterators
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stragglers = [w for w in workers if w.is_alive()]
    for w in stragglers:
        w.terminate()
    for w in stragglers:
        w.join(1.0)
    for thread in threads:
        thread.join(1.0)
    for item in loaders:
        # the next iteration of a DataLoader starts fresh workers
        if isinstance(item, DataLoader) and item._iterator in iterators:
            item._iterator = None
    return dict(workers=len(workers), terminated=len(stragglers),
                seconds=time.perf_counter() - start)


def shutdown_runner_loaders(runner, timeout: float = 3.0) -> dict:
    """Shut down the workers of a Runner's train, val and test loaders.

    Only loops the runner has built are looked at: no loader or dataset is
    built here. Logs one line with what was done.

    Args:
        runner (Runner): An mmengine Runner after ``train()``/``test()``
            (or one that failed in them).
        timeout (float): As in :func:`shutdown_loader_workers`.
            Defaults to 3.0.

    Returns:
        dict: As :func:`shutdown_loader_workers`, plus ``loaders`` (names
        of the loaders that had live workers).
    """
    from mmengine.runner import BaseLoop
    loaders, names = [], []
    for name in ('train', 'val', 'test'):
        loop = getattr(runner, f'_{name}_loop', None)
        if not isinstance(loop, BaseLoop):
            continue
        held = [loop.dataloader]
        if getattr(loop, 'dataloader_iterator', None) is not None:
            held.append(loop.dataloader_iterator)
        if any(_worker_iterators(item) for item in held):
            names.append(f'{name}_dataloader')
        loaders.extend(held)
    report = shutdown_loader_workers(loaders, timeout)
    report['loaders'] = names
    print_log(
        f'DataLoader shutdown: {report["workers"]} worker processes of '
        f'{names or "no loader"} stopped in {report["seconds"]:.2f} s '
        f'({report["terminated"]} terminated)', logger='current')
    return report


def read_shutdown_line(log: str) -> Optional[dict]:
    """The line :func:`shutdown_runner_loaders` logged, read from a log.

    Returns:
        dict | None: ``workers``, ``loaders`` (names, as logged),
        ``seconds`` and ``terminated``; None if the log has no such line.
    """
    m = SHUTDOWN_LINE.search(log)
    if m is None:
        return None
    return dict(workers=int(m.group(1)),
                loaders=re.findall(r"'(\w+)'", m.group(2)),
                seconds=float(m.group(3)), terminated=int(m.group(4)))
