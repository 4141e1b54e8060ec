"""End-to-end training speed of the shipped ResNet-50 configs.

Writes synthetic photo-like JPEGs in CUB's layout (target) and ImageNet's
layout (source), and an ImageNet-1k-shaped ResNet-50 checkpoint, then runs
``tools/train.py`` as a user would, on configs/plain_resnet50_cub.py
(plain) and configs/softft_resnet50_cub.py (soft), for ``--iters``
iterations with the real DataLoader (``--workers`` processes, persistent,
pinned memory on a GPU) and ``--no-validate``. Each run logs every
iteration; reported per run and phase (soft: while ``w`` > 0 and after):
seconds per iteration (median after ``--skip`` warm-up iterations), target
and all images per second, the fraction of iteration time spent waiting for
data, and the seconds from the last checkpoint to the process's exit.

Runs: ``plain_default`` (the config as shipped), ``plain_fast`` and
``soft_fast`` (``--amp --amp-dtype bfloat16 --channels-last`` on a GPU;
``--channels-last`` on the CPU, where mmengine has no AMP optimizer).

GPU (defaults): ``python tools/benchmark_e2e.py --out e2e.json``.
CPU smoke run: ``--device cpu --res 32 --image-size 40x30 --batch 2
--iters 4 --skip 1 --workers 2 --threads 1``.
"""
import argparse
import os
import os.path as osp
import signal
import sys

import torch

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.e2e import RUNS, run_e2e


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--device', choices=['cuda', 'cpu'],
                   default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--res', type=int, default=448, help='crop size')
    p.add_argument('--image-size', default='500x375',
                   help='WIDTHxHEIGHT of the synthetic JPEGs')
    p.add_argument('--batch', type=int, default=32, help='target images')
    p.add_argument('--source-batch', type=int, default=None,
                   help='source images while w > 0 (default: --batch)')
    p.add_argument('--iters', type=int, default=100,
                   help='iterations of each run (one epoch)')
    p.add_argument('--skip', type=int, default=10,
                   help='warm-up iterations left out of the figures')
    p.add_argument('--workers', type=int,
                   default=max(1, min(15, (os.cpu_count() or 2) - 1)),
                   help='DataLoader worker processes')
    p.add_argument('--runs', default=','.join(RUNS),
                   help=f'comma-separated, of {list(RUNS)}')
    p.add_argument('--threads', type=int,
                   help='OMP/MKL threads of each run (default: torch\'s, one '
                   'per core); 1 avoids oversubscribing a small CPU machine')
    p.add_argument('--timeout', type=float, default=150,
                   help='seconds per run before it is killed')
    p.add_argument('--work-dir', help='keep data and runs here '
                   '(default: a temporary directory, removed)')
    p.add_argument('--out', help='write the figures as JSON here')
    args = p.parse_args(argv)
    args.runs = args.runs.split(',')
    unknown = [r for r in args.runs if r not in RUNS]
    if unknown:
        p.error(f'--runs should be among {list(RUNS)}, but got {unknown}')
    try:
        args.width, args.height = (int(v) for v in
                                   args.image_size.split('x'))
    except ValueError:
        p.error(f'--image-size should be WIDTHxHEIGHT, e.g. 500x375, but '
                f'got {args.image_size!r}')
    for name in ('res', 'batch', 'iters', 'workers', 'threads'):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            p.error(f'--{name} should be >= 1, but got '
                    f'{getattr(args, name)}')
    if not 0 <= args.skip < args.iters:
        p.error(f'--skip should be in [0, --iters), but got {args.skip} '
                f'with --iters {args.iters}')
    if args.source_batch is None:
        args.source_batch = args.batch
    return args


def main(argv=None):
    args = parse_args(argv)
    # a SIGTERM (e.g. `timeout`) unwinds: the running training is killed,
    # the figures so far are kept
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return run_e2e(args)


if __name__ == '__main__':
    sys.exit(main())
