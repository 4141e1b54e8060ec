"""Embedded demo: plain vs soft fine-tuning on real handwritten digits.

Nothing is downloaded. scikit-learn's bundled digits are written as image
files: digits 0-4 in ImageNet's layout (the source domain) and digits 5-9 in
CUB's layout with few labelled images per class (the target task). A small
ResNet is pre-trained on the source (the stand-in for ImageNet
pre-training), then fine-tuned plainly (configs/demo/finetune_digits.py) and
softly (configs/demo/softft_digits.py) with the same seed, schedule and
target batches, through the ordinary MMEngine Runner. Both target top-1
accuracies are printed.

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
from benchmarks import run_training
from benchmarks.demo_data import prepare_demo
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
        help='source pre-training epochs when the pre-trained model does '
        'not exist yet (default: configs/demo/digits_pretrain.py\'s)')
    parser.add_argument(
        '--prepare-only', action='store_true',
        help='write the data and the pre-trained model where '
        'configs/demo/*.py read them, then exit')
    add_threads_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    pin_threads(args.threads)
    paths = prepare_demo(
        CONFIGS, shots=args.shots, seed=args.seed,
        pretrain_epochs=args.pretrain_epochs,
        pretrain_work_dir=osp.join(args.work_dir, 'pretrain'))
    if args.prepare_only:
        print(f'Demo data: {paths["source"]} (source), {paths["target"]} '
              f'(target); pre-trained model: {paths["pretrained"]}')
        return
    source, target, pretrained = (paths['source'], paths['target'],
                                  paths['pretrained'])

    schedule = {
        'train_cfg.max_epochs': args.epochs,
        'train_cfg.val_interval': args.epochs,
        'param_scheduler.0.end': args.epochs,
        'param_scheduler.0.T_max': args.epochs,
        'randomness.seed': args.seed,
    }
    target_opts = {
        'val_dataloader.dataset.data_root': target,
        'test_dataloader.dataset.data_root': target,
    }
    plain = run_training(
        osp.join(CONFIGS, 'finetune_digits.py'),
        osp.join(args.work_dir, 'finetune'), {
            **schedule,
            **target_opts,
            'train_dataloader.dataset.data_root': target,
            'model.backbone.init_cfg.checkpoint': pretrained,
        })
    soft = run_training(
        osp.join(CONFIGS, 'softft_digits.py'),
        osp.join(args.work_dir, 'softft'), {
            **schedule,
            **target_opts,
            'train_dataloader.dataset.target.data_root': target,
            'train_dataloader.dataset.source.data_root': source,
            'model.backbone.init_cfg.checkpoint': pretrained,
        })
    plain_acc = plain['metrics']['accuracy/top1']
    soft_acc = soft['metrics']['accuracy/top1']
    lines = [
        '', f'Target task: digits 5-9, {args.shots} labelled images per '
        f'class, seed {args.seed}, {args.epochs} epochs',
        f'plain fine-tuning  top-1: {plain_acc:6.2f} %  '
        f'({plain["seconds"]:.0f} s)',
        f'soft fine-tuning   top-1: {soft_acc:6.2f} %  '
        f'({soft["seconds"]:.0f} s)',
        f'difference (soft - plain): {soft_acc - plain_acc:+.2f} points '
        '(one seed; tools/compare_methods.py compares many)'
    ]
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
