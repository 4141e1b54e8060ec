"""Compare methods on your own data: N paired seeds of your configs.

Each config (e.g. plain and soft fine-tuning of CUB) is trained with
tools/train.py (or tools/dist_train.sh / tools/slurm_train.sh) once per
seed, with ``--cfg-options randomness.seed=S`` and your extra options; the
final validation metric and the curve are read from each run's
``<work_dir>/<timestamp>/vis_data/scalars.json``. As in
benchmark_methods.py, each config is first written to ``<out>/configs/``
with ``RunRecordHook`` added (the new head and the target batches
recorded, to check the pairing), unless ``--no-record``. The pairing itself
is the package's: its classifiers build their extra modules without drawing
from the global random stream and ``SourceTargetDataset`` prepares source
samples on a stream of their own. The report is benchmark_methods.py's:
every method against the baseline (``plain`` if named, else the first)
seed by seed, paired t-interval, sign and Wilcoxon tests, epochs and
seconds to the baseline's final accuracy, whether every method of a seed
saw the same head and target batches, accuracy-vs-epoch and forest plots.

    python tools/compare_methods.py --out work_dirs/compare_cub --seeds 5 \\
        --configs plain=configs/plain_resnet50_cub.py \\
                  soft=configs/softft_resnet50_cub.py \\
        --launcher pytorch --gpus 8 -- --amp --amp-dtype bfloat16

Arguments after ``--`` go to tools/train.py. A run whose record exists is
not trained again, so an interrupted comparison continues where it
stopped and more seeds can be added later.
"""
import argparse
import os.path as osp
import sys

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.compare import compare
from benchmarks.method_stats import BASELINE


def named_config(text):
    name, sep, path = text.partition('=')
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(
            f'expected NAME=CONFIG (e.g. plain=configs/x.py), got {text!r}')
    if not osp.isfile(path):
        raise argparse.ArgumentTypeError(f'{name}: no config file {path!r}')
    return name, path


def parse_args(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    argv = argv[:argv.index('--')] if '--' in argv else argv
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 1)[1])
    p.add_argument('--configs', nargs='+', type=named_config, required=True,
                   metavar='NAME=CONFIG',
                   help="methods to compare; the one named 'plain' (else "
                   'the first) is the baseline')
    p.add_argument('--out', required=True,
                   help='records, work_dirs and the report go here')
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--first-seed', type=int, default=0)
    p.add_argument('--metric', default='accuracy/top1',
                   help='validation metric of scalars.json to compare')
    p.add_argument('--name', default='user',
                   help='name of the task in the tables')
    p.add_argument('--condition', default='default',
                   help='name of the condition in the tables')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                   default='none')
    p.add_argument('--gpus', type=int, default=1,
                   help='processes (GPUs) per run with --launcher pytorch')
    p.add_argument('--partition', help='Slurm partition (--launcher slurm)')
    p.add_argument('--cfg-options', nargs='+', default=[],
                   metavar='KEY=VALUE', help='for every config and seed')
    p.add_argument('--baseline',
                   help="the method the others are compared with (default: "
                   "'plain' if named, else the first)")
    p.add_argument('--report-out', help='default: <out>/report')
    p.add_argument('--no-record', action='store_true',
                   help='train the configs as they are, without the hook '
                   'that records the new head and the target batches (the '
                   'report then cannot check the pairing)')
    args = p.parse_args(argv)
    args.train_args = extra
    names = [n for n, _ in args.configs]
    if len(set(names)) != len(names):
        p.error(f'--configs: names should differ, got {names}')
    if args.baseline is None:
        args.baseline = BASELINE if BASELINE in names else names[0]
    elif args.baseline not in names:
        p.error(f'--baseline {args.baseline!r} is none of {names}')
    if args.seeds < 1:
        p.error(f'--seeds should be >= 1, got {args.seeds}')
    if args.launcher == 'slurm' and not args.partition:
        p.error('--launcher slurm needs --partition')
    return args


def main(argv=None):
    return compare(parse_args(argv))


if __name__ == '__main__':
    main()
