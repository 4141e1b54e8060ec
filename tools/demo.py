"""Embedded demo: plain vs soft fine-tuning on real handwritten digits.

Nothing is downloaded. scikit-learn's bundled digits are written as image
files: digits 0-4 in ImageNet's layout (the source domain) and digits 5-9 in
CUB's layout with few labelled images per class (the target task). A small
ResNet is pre-trained on the source (the stand-in for ImageNet
pre-training), then fine-tuned plainly (configs/demo/finetune_digits.py) and
softly (configs/demo/softft_digits.py) with the same seed, schedule and
target batches, through the ordinary MMEngine Runner. It prints one line
per phase with its time, then both target top-1 accuracies; the Runner's
own output (hook tables, per-iteration logs) goes to
``<work-dir>/demo.log``, each run's mmengine log and scalars to
``<work-dir>/<run>/`` (benchmarks/demo.py).

The data and the pre-trained model go where the demo configs read them
(data/digits/{source,target}, work_dirs/demo/digits_pretrain.pth, relative
to the working directory). --prepare-only writes just those, for
tools/train.py or tools/dist_train.sh with configs/demo/*.py.

Usage: python tools/demo.py [--work-dir work_dirs/demo] [--shots 10]
       python tools/demo.py --prepare-only
"""
import argparse
import os.path as osp
import sys

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.demo import run_demo
from benchmarks.threads import add_threads_argument, pin_threads

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'configs', 'demo')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--shots', type=int, default=10,
        help='labelled target images per class (default: 10)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--epochs', type=int, default=30,
        help='fine-tuning epochs of both methods (default: 30)')
    parser.add_argument(
        '--pretrain-epochs', type=int,
        help='source pre-training epochs (default: configs/demo/'
        'digits_pretrain.py\'s); a pre-trained model made with others is '
        'trained again')
    parser.add_argument(
        '--retrain', action='store_true',
        help='pre-train even if a pre-trained model is there (one made '
        'with the same settings is reused otherwise)')
    parser.add_argument(
        '--prepare-only', action='store_true',
        help='write the data and the pre-trained model where '
        'configs/demo/*.py read them, then exit')
    add_threads_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    pin_threads(args.threads)
    run_demo(CONFIGS, work_dir=args.work_dir, shots=args.shots,
             seed=args.seed, epochs=args.epochs,
             pretrain_epochs=args.pretrain_epochs,
             prepare_only=args.prepare_only, retrain=args.retrain)


if __name__ == '__main__':
    main()
