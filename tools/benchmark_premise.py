"""Check the premise a test bed of soft fine-tuning must show.

(a) The pre-trained features carry general discrimination: the k-NN probe
on unseen classes scores at least 5 points above raw pixels and above
randomly initialised networks. (b) Plain fine-tuning erodes it: at a
learning rate users fine-tune at, the probe after plain fine-tuning is at
least 3 points below the pre-trained one. A regime (learning rate) is GO
when both hold. Beside them, as a first look (not a selected, many-seed
result): soft fine-tuning's target top-1 and probe on the same runner,
batches and seeds, the source top-1 before and after fine-tuning (the
forgetting), and the target's raw-pixel k-NN and linear-probe references.

Default task: glyphs_cjk (1000 CJK ideographs -> 50 unseen ones, 5 shots;
probe: 40 more; needs `apt-get install fonts-noto-cjk fonts-wqy-microhei
fonts-unifont`). Records go to --out (a rerun computes only what is
missing); the table (premise.json, premise.md) to --table-out. The logic
is in benchmarks/premise.py and benchmarks/premise_table.py.
"""
import argparse
import os.path as osp
import sys
import warnings

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.conditions import CONDITIONS
from benchmarks.premise import run_premise
from benchmarks.premise_table import summarise_premise, write_premise_table
from benchmarks.quick_data import write_quick_cjk_fonts
from benchmarks.tasks import TASKS
from benchmarks.threads import add_threads_argument

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'configs', 'demo')
QUICK = dict(source_classes=20, target_classes=4, probe_classes=4,
             renders_per_class=6, probe_per_class=4, seeds=2, width=4,
             batch_size=4, min_steps=8, min_epochs=2, val_points=1,
             pretrain_steps=40, val_per_class=4, random_inits=2,
             lrs=[0.02, 0.1])


def floats(text):
    return [float(x) for x in text.split(',') if x]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--out', required=True, help='folder of the records')
    p.add_argument('--table-out', help='where premise.json and premise.md '
                   'go (default: <out>/table)')
    p.add_argument('--task', default='glyphs_cjk', choices=sorted(TASKS))
    p.add_argument('--condition', default='fewshot5',
                   choices=list(CONDITIONS))
    p.add_argument('--lrs', type=floats, default=[0.02, 0.1],
                   help='comma-separated fine-tuning learning rates (the '
                   'demo schedule\'s 0.02 and 5x it)')
    p.add_argument('--methods', default='plain,soft',
                   help='comma-separated; plain is needed for (b)')
    p.add_argument('--seeds', type=int, default=3, help='paired seeds')
    p.add_argument('--first-seed', type=int, default=0)
    p.add_argument('--random-inits', type=int, default=3,
                   help='randomly initialised networks the probe scores')
    p.add_argument('--cache-dir', default='work_dirs/benchmark_cache',
                   help='pre-trained source models and drawn CJK pools')
    p.add_argument('--width', type=int, default=16,
                   help='base channels of the CIFAR ResNet-18')
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--source-batch-size', type=int,
                   help='source images per batch of soft fine-tuning '
                   '(default: --batch-size)')
    p.add_argument('--min-steps', type=int, default=150)
    p.add_argument('--min-epochs', type=int, default=4)
    p.add_argument('--val-points', type=int, default=4)
    p.add_argument('--pretrain-steps', type=int, default=3375,
                   help='source pre-training steps (batch 32; 3 epochs of '
                   '1000 x 36 images)')
    p.add_argument('--source-per-class', type=int, default=1000,
                   help='cap on source images per class')
    p.add_argument('--val-per-class', type=int, default=20)
    p.add_argument('--source-classes', type=int, default=1000,
                   help='CJK source characters')
    p.add_argument('--renders-per-class', type=int, default=36,
                   help='drawings of each CJK source character')
    p.add_argument('--target-classes', type=int, default=50,
                   help='CJK target characters')
    p.add_argument('--probe-classes', type=int, default=40,
                   help='CJK probe characters')
    p.add_argument('--probe-per-class', type=int, default=10)
    p.add_argument('--image-size', type=int, default=32,
                   help='side of the drawn CJK images (the network sees '
                   '32x32)')
    p.add_argument('--target-image-size', type=int,
                   help='side the CJK target is drawn at (resized to 32: '
                   'a blurrier, shifted domain; default: --image-size)')
    p.add_argument('--font-root', default='/usr/share/fonts')
    p.add_argument('--fashion-root',
                   default='/usr/share/datasets/fashion-mnist')
    p.add_argument('--workers', type=int, default=0)
    p.add_argument('--quick', action='store_true',
                   help='the whole check on tiny stand-in fonts it writes')
    add_threads_argument(p)
    args = p.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
        args.font_root = write_quick_cjk_fonts(osp.join(args.out, 'fonts'))
        args.cache_dir = osp.join(args.out, 'cache')
    if args.source_batch_size is None:
        args.source_batch_size = args.batch_size
    args.methods = [m for m in args.methods.split(',') if m]
    if 'plain' not in args.methods:
        p.error('--methods should include plain (condition (b))')
    args.table_out = args.table_out or osp.join(args.out, 'table')
    args.config_dir = CONFIGS
    args.cjk_options = dict(
        source_classes=args.source_classes,
        target_classes=args.target_classes,
        probe_classes=args.probe_classes,
        source_per_class=args.renders_per_class,
        probe_per_class=args.probe_per_class, size=args.image_size,
        target_size=args.target_image_size,
        font_root=args.font_root,
        cache_dir=osp.join(args.cache_dir, 'pools'))
    if args.quick:
        args.cjk_options.update(source_test_per_class=2, target_per_class=10,
                                target_test_per_class=4, size=16,
                                min_fonts=2)
    return args


def main(argv=None):
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
    args = parse_args(argv)
    summary = summarise_premise(run_premise(args))
    paths = write_premise_table(summary, args.table_out)
    print(open(paths['markdown']).read())
    return summary


if __name__ == '__main__':
    main()
