"""Does soft fine-tuning beat plain fine-tuning? A benchmark on real data.

Protocol, on scikit-learn's bundled handwritten digits (nothing is
downloaded), through the project's configs, Runner and components:

1. a small ResNet is pre-trained on the SOURCE digit classes
   (configs/demo/digits_pretrain.py; cached under --cache-dir);
2. for each condition and seed, a target task is written in CUB's layout
   from the TARGET classes, and plain fine-tuning
   (configs/demo/finetune_digits.py) and soft fine-tuning
   (configs/demo/softft_digits.py) train on it with the same seed, schedule
   and target batches; target top-1 is validated every epoch;
3. general discrimination (GeneralDiscriminationMetric: k-NN top-1 of
   backbone features on the PROBE classes, in neither task) is measured for
   the pre-trained, plain and soft models.

Conditions: few-shot (--shots per class), all-shot, class-imbalanced and
30%-label-noise target sets. Reported: top-1 mean/std over seeds, the paired
difference soft - plain with a 95% t-interval, epochs and seconds to reach
plain's final accuracy, wall-time ratio soft/plain, probe k-NN top-1.
--ablation sweeps one setting of soft fine-tuning (shape, decay_end or
source_batch) on the few-shot condition. Writes results.json, results.md
and PNG plots to --out.
"""
import argparse
import os.path as osp
import sys

import numpy as np

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.threads import add_threads_argument, pin_threads
from benchmarks.transfer import ABLATIONS, run_transfer


def digit_list(text):
    return [int(x) for x in text.split(',') if x.strip()]


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--source-classes', type=digit_list, default='0,1,2,3',
                   help='digits of the source (pre-training) domain')
    p.add_argument('--target-classes', type=digit_list, default='4,5,6',
                   help='digits of the target task')
    p.add_argument('--probe-classes', type=digit_list, default='7,8,9',
                   help='digits in neither: the general-discrimination probe')
    p.add_argument('--shots', default='5',
                   help="labelled target images per class of the few-shot "
                   "condition, or 'all'")
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--first-seed', type=int, default=0,
                   help='seeds are first-seed ... first-seed + seeds - 1 '
                   '(e.g. 5 for seeds held out from the ablations)')
    p.add_argument('--epochs', type=int, default=20,
                   help='fine-tuning epochs of the few-shot condition (both '
                   'methods)')
    p.add_argument('--epochs-full', type=int, default=8,
                   help='fine-tuning epochs of the all-shot, imbalanced and '
                   'noisy conditions (about 20x more images per epoch)')
    p.add_argument('--pretrain-epochs', type=int, default=10)
    p.add_argument('--conditions', default='fewshot,allshot,imbalanced,noisy')
    p.add_argument('--shape', default='cosine',
                   choices=['linear', 'cosine', 'exp', 'step'])
    p.add_argument('--decay-end', type=float, default=0.25,
                   help='fraction of training where w reaches 0')
    p.add_argument('--start-weight', type=float, default=1.0)
    p.add_argument('--source-batch-size', type=int, default=16)
    p.add_argument('--ablation', choices=sorted(ABLATIONS),
                   help='sweep one soft fine-tuning setting (few-shot)')
    p.add_argument('--out', required=True, help='output directory')
    p.add_argument('--cache-dir', default='work_dirs/benchmark_cache',
                   help='where the pre-trained model is cached')
    p.add_argument('--quick', action='store_true',
                   help='1 seed, few-shot only, 4 epochs, 3 pre-training '
                   'epochs: checks the pipeline in about 2 minutes')
    add_threads_argument(p)
    args = p.parse_args(argv)
    if args.quick:
        args.seeds, args.epochs, args.pretrain_epochs = 1, 4, 3
        args.epochs_full = 2
        args.conditions = 'fewshot'
    args.conditions = args.conditions.split(',')
    groups = (args.source_classes, args.target_classes, args.probe_classes)
    flat = [c for g in groups for c in g]
    if len(set(flat)) != len(flat):
        p.error(f'source, target and probe classes must not overlap: {groups}')
    for name, classes, what in (
            ('--target-classes', args.target_classes, 'a classification task'),
            ('--probe-classes', args.probe_classes, 'a k-NN probe')):
        if len(classes) < 2:
            p.error(f'{name} should list at least 2 digits ({what} needs '
                    f'>= 2 classes), but got {classes}')
    if args.shots != 'all' and not args.shots.isdigit():
        p.error(f"--shots should be a number or 'all', got {args.shots!r}")
    return args


def main(argv=None):
    args = parse_args(argv)
    pin_threads(args.threads)
    return run_transfer(args)


if __name__ == '__main__':
    np.seterr(all='ignore')
    main()
