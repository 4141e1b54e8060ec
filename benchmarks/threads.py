"""Pin the CPU thread count of a demo or benchmark run.

The demo's and benchmarks' figures are bit-identical only for the same CPU
model, thread count and package versions (docs/en/reproducibility.md): the
number of threads decides how float sums are split, so a different count
changes the rounding and, over training, the accuracies. torch's default is
one thread per core, i.e. a property of the machine; the tools therefore
take ``--threads`` with a fixed default.
"""
import argparse
import os

import torch

__all__ = ['DEFAULT_THREADS', 'add_threads_argument', 'pin_threads']

#: the project's CPU machine has 2 cores: the README's figures used 2 threads
DEFAULT_THREADS = 2


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--threads`` (default :data:`DEFAULT_THREADS`) to ``parser``."""
    parser.add_argument(
        '--threads', type=int, default=DEFAULT_THREADS,
        help='CPU threads of torch (and OpenMP/MKL); figures are '
        f'reproducible for a fixed count (default: {DEFAULT_THREADS})')


def pin_threads(threads: int) -> int:
    """Run torch's CPU operators on ``threads`` threads, and print it.

    ``torch.set_num_threads`` sets torch's intra-op pool (OpenMP, oneDNN and
    MKL inside torch), overriding whatever ``OMP_NUM_THREADS`` said when
    torch was loaded. ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` are set as
    well, for processes started from here (e.g. torchrun ranks) and
    libraries loaded later. DataLoader workers run one thread each whatever
    this says (torch sets it in every worker).

    Args:
        threads (int): Number of threads, >= 1.

    Returns:
        int: ``threads``.

    Raises:
        ValueError: If ``threads`` is not an int >= 1.
    """
    if isinstance(threads, bool) or not isinstance(threads,
                                                   int) or threads < 1:
        raise ValueError(
            f'`--threads` should be an int >= 1, but got {threads!r}')
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(threads)
    torch.set_num_threads(threads)
    print(f'threads: {torch.get_num_threads()} (torch.set_num_threads, '
          f'OMP_NUM_THREADS={threads}, MKL_NUM_THREADS={threads})',
          flush=True)
    return threads
