"""Compare fine-tuning methods on real images, seed-paired, on one Runner.

Tasks (benchmarks/tasks.py): far and near Fashion-MNIST ->
Fashion-MNIST, cross Fashion-MNIST -> handwritten digits, many-class
font glyphs -> Fashion-MNIST / digits, and 1000 CJK ideographs -> 50
unseen ones (glyphs_cjk; tools/benchmark_premise.py checks its premise).
Conditions
(benchmarks/conditions.py):
fewshot5, fewshot20, allshot, imbalanced, noisy (30% wrong labels).
Methods (benchmarks/methods.py): plain, soft, joint, l2sp, lwf, lpft,
cotuning and training from scratch, each its configs/demo/*_digits.py;
named in --methods, also the variants soft_paper (the paper's settings at
plain's learning rate) and soft_separate (the same, source images in a
separate pass).

Per task the source model is pre-trained once (seeded, cached under
--cache-dir, its source top-1 reported). Per cell (task, condition) and
seed every method trains the same network on the same target batches and
augmentations from the same new head, for at least --min-steps optimiser
steps (epochs from the train-set size); raw-pixel k-NN and a linear probe
on frozen pre-trained features are computed beside them. Each run writes
one JSON under --out; parts (--tasks, --conditions, --methods, --seeds,
--first-seed, --threads) merge in --report. It prints the pre-training
every tenth of its iterations and each run with [done/total], the elapsed
time and the time left (benchmarks/README.md).

  --select   chooses hyper-parameters (grids in benchmarks/methods.py) on the
             validation split carved from the target training data, on
             seeds disjoint from the reported ones; writes
             <out>/selection.json, which later runs into <out> use.
  --report   merges result folders into tables, JSON and plots.
  --quick    the whole pipeline on tiny stand-in data it writes itself.
"""
import argparse
import os.path as osp
import sys
import warnings

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.conditions import CONDITIONS
from benchmarks.method_benchmark import run_benchmark
from benchmarks.methods import (
    DEFAULT_BATCH_SIZE,
    available_methods,
    parse_grid,
)
from benchmarks.source_models import SOURCE_TEST_PER_CLASS
from benchmarks.tasks import TASKS
from benchmarks.threads import add_threads_argument

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'configs', 'demo')
QUICK = dict(tasks='far,glyphs_digits', conditions='fewshot5', seeds=2,
             width=4, batch_size=4, min_steps=8, min_epochs=2, val_points=2,
             pretrain_steps=40, source_per_class=40, val_per_class=5,
             glyph_classes=10)


def csv(text):
    return [x for x in text.split(',') if x]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--out', help='folder of this part\'s JSON records')
    p.add_argument('--tasks', type=csv, default=sorted(TASKS),
                   help='comma-separated keys of tasks.py TASKS')
    p.add_argument('--conditions', type=csv, default=list(CONDITIONS),
                   help='comma-separated keys of conditions.py CONDITIONS')
    p.add_argument('--methods', type=csv,
                   help='default: every method with a config')
    p.add_argument('--seeds', type=int, default=15, help='paired seeds')
    p.add_argument('--first-seed', type=int, default=0,
                   help='seeds are first-seed ... first-seed + seeds - 1')
    p.add_argument('--select', action='store_true',
                   help='choose hyper-parameters on validation data')
    p.add_argument('--report', nargs='+', metavar='DIR',
                   help='merge these result folders into --report-out')
    p.add_argument('--report-out',
                   help='where --report writes (default: <first DIR>/report;'
                   ' the published report is docs/benchmark/fashion, named '
                   'on purpose)')
    p.add_argument('--cache-dir', default='work_dirs/benchmark_cache',
                   help='pre-trained source models (shared by parts)')
    p.add_argument('--width', type=int, default=16,
                   help='base channels of the CIFAR ResNet-18')
    p.add_argument('--batch-size', type=int, default=DEFAULT_BATCH_SIZE,
                   help='target images per batch')
    p.add_argument('--source-batch-size', type=int,
                   help='source images per batch of the methods that train '
                   'on source images (soft, joint; recorded in each run); '
                   'default: --batch-size. A method grid may select it '
                   '(soft: 1:1, 1:2, 2:1 of the default batch)')
    p.add_argument('--min-steps', type=int, default=150,
                   help='optimiser steps every run takes at least')
    p.add_argument('--min-epochs', type=int, default=4,
                   help='epochs every run takes at least (a curve of the '
                   'larger training sets)')
    p.add_argument('--val-points', type=int, default=4,
                   help='validations per run (the last at the end)')
    p.add_argument('--pretrain-steps', type=int, default=3000,
                   help='source pre-training steps (batch 32)')
    p.add_argument('--source-per-class', type=int, default=1000,
                   help='source images per class (pre-training and the '
                   'source branch of soft/joint)')
    p.add_argument('--max-train-per-class', type=int, default=150,
                   help='cap of the all-shot, imbalanced and noisy sets')
    p.add_argument('--val-per-class', type=int, default=20,
                   help='validation images per class carved from the '
                   'target training pool (--select scores on them)')
    p.add_argument('--test-per-class', type=int, default=500,
                   help='test images per class kept from each pool (a '
                   'fixed seeded choice; 0: all, e.g. 1000 of Fashion-MNIST)')
    p.add_argument('--glyph-classes', type=int,
                   help='classes of the glyph source (default: 400, or '
                   'every usable character when the installed fonts draw '
                   'fewer)')
    p.add_argument('--fashion-root', default='/usr/share/datasets/'
                   'fashion-mnist', help='the four Fashion-MNIST IDX files')
    p.add_argument('--font-root', default='/usr/share/fonts',
                   help='fonts of the glyph source')
    p.add_argument('--target-image-size', type=int,
                   help='glyphs_cjk: side the target is drawn at, resized '
                   'to 32 (default: 32)')
    p.add_argument('--target-per-class', type=int, default=30,
                   help='glyphs_cjk: train-pool images per target class '
                   '(--val-per-class of them validate; the rest are the '
                   'all-shot set)')
    p.add_argument('--grid', action='append', default=[],
                   metavar='METHOD:KEY=V1,V2',
                   help='candidates of a hyper-parameter of a method for '
                   '--select, e.g. plain:optim_wrapper.optimizer.lr=0.02,'
                   '0.01; a method given --grid selects just these keys '
                   '(repeat the option for more), not its grid in '
                   'benchmarks/methods.py')
    p.add_argument('--forgetting-per-class', type=int,
                   default=SOURCE_TEST_PER_CLASS,
                   help='held-out source images per class of the forgetting'
                   ' curve (the source head at step 0 and every '
                   'validation); the 1000 CJK classes hold 5 each')
    p.add_argument('--workers', type=int, default=0,
                   help='loader processes (0: in the main process)')
    p.add_argument('--keep-data', action='store_true',
                   help='keep the written target sets')
    p.add_argument('--quick', action='store_true',
                   help='select, run, noise floor and report on tiny data')
    add_threads_argument(p)
    args = p.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, csv(value) if key in ('tasks', 'conditions')
                    else value)
        args.cache_dir = osp.join(args.out or '', 'cache')
        args.report_out = osp.join(args.out or '', 'report')
    if not args.report and not args.out:
        p.error('--out is required (or --report DIR ...)')
    if args.report and args.report_out is None:
        args.report_out = osp.join(args.report[0], 'report')
    for name, given, known in (('--tasks', args.tasks, TASKS),
                               ('--conditions', args.conditions, CONDITIONS)):
        unknown = [x for x in given if x not in known]
        if unknown:
            p.error(f'{name}: unknown {unknown}, expected some of '
                    f'{sorted(known)}')
    methods = available_methods(CONFIGS, variants=True)
    args.methods = args.methods or list(available_methods(CONFIGS))
    unknown = [m for m in args.methods if m not in methods]
    if unknown:
        p.error(f'--methods: no config for {unknown}; available '
                f'{sorted(methods)}')
    args.method_table = {m: methods[m] for m in args.methods}
    grids = {}
    for text in args.grid:
        try:
            name, key, values = parse_grid(text, args.method_table)
        except ValueError as e:
            p.error(str(e))
        grids.setdefault(name, {})[key] = values
    for name, grid in grids.items():
        args.method_table[name] = args.method_table[name]._replace(grid=grid)
    args.cjk_options = dict(target_size=args.target_image_size,
                            target_per_class=args.target_per_class)
    args.config_dir = CONFIGS
    if args.source_batch_size is None:
        args.source_batch_size = args.batch_size
    if min(args.seeds, args.min_steps, args.min_epochs, args.val_points,
           args.batch_size, args.source_batch_size, args.width,
           args.forgetting_per_class) < 1:
        p.error('--seeds, --min-steps, --min-epochs, --val-points, '
                '--batch-size, --source-batch-size, --width and '
                '--forgetting-per-class should be >= 1')
    return args


def main(argv=None):
    # printed by every Runner's plugin import otherwise
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
    return run_benchmark(parse_args(argv))


if __name__ == '__main__':
    main()
