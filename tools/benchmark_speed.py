"""Speed of soft fine-tuning vs plain fine-tuning, measured in one run.

Same network, same target batch, same optimizer, through MMEngine's
OptimWrapper/AmpOptimWrapper and the models' ``train_step``:

- ``plain``: mmpretrain ``ImageClassifier`` on ``batch`` target images;
- ``soft_w>0``: ``SoftFineTuneClassifier`` on ``batch`` target +
  ``source_batch`` source images (source weight 0.5);
- ``soft_w=0``: ``SoftFineTuneClassifier`` after the weight reached 0
  (target-only batches, as the sampler then yields).

- ``plain_same_images``: plain on ``batch + source_batch`` images (the
  same work per step as ``soft_w>0``: isolates the method's overhead from
  how the hardware scales with batch size).

All are timed in interleaved rounds whose order rotates (noise and
position hit them alike); each case's median round is reported, and each
ratio is the median (with quartiles) of the ratios paired within a round.
Goals: per-image throughput of ``soft_w>0`` >= 0.95x plain;
``soft_w=0`` iteration time within 3% of plain. With ``--loader`` it also
trains the demo config on the digits data with the real Runner and reports
the fraction of iteration time spent waiting for data, for the demo's plain
and soft fine-tuning configs, with their images/s in those real runs.

With ``--source-res R`` it times instead plain fine-tuning, soft
fine-tuning's joint pass (source images at the target's ``--res``, one
batch) and its separate pass (``model.source_forward='separate'``: source
images at ``R`` in a pass of their own) while ``w`` > 0, on the batches
``stack_collate`` gives, and reports each soft pass's iteration time over
plain's (``ratio_iter_time_w_gt0_vs_plain``, paired within rounds).

CPU (default): the demo's small ResNet at 32 px.
GPU: ``--model resnet50 --res 448 --batch 32 --amp --bf16 [--channels-last]``
and ``--compare-layouts`` to time mmpretrain's default layout against the
shipped options in the same process.
"""
import argparse
import json
import os.path as osp
import sys

import torch

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.loader_speed import bench_loader, bench_sampler_memory
from benchmarks.step_speed import bench_source_pass, bench_steps
from benchmarks.threads import add_threads_argument, pin_threads


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', choices=['demo', 'resnet50'], default='demo')
    p.add_argument('--device', default=None, help='cpu or cuda (auto)')
    p.add_argument('--res', type=int, default=None)
    p.add_argument('--batch', type=int, default=32, help='target images')
    p.add_argument('--source-batch', type=int, default=None,
                   help='source images per batch (default: = --batch)')
    p.add_argument('--iters', type=int, default=10, help='per round')
    p.add_argument('--rounds', type=int, default=12,
                   help='timed rounds (case order rotates each round)')
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--amp', action='store_true')
    p.add_argument('--bf16', action='store_true', help='AMP dtype bfloat16')
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--compare-layouts', action='store_true',
                   help='also time plain fine-tuning in mmpretrain\'s '
                   'default layout (fp32, contiguous)')
    p.add_argument('--loader', action='store_true',
                   help='measure the data-wait fraction with the Runner')
    p.add_argument('--loader-epochs', type=int, default=4,
                   help='epochs of each --loader training run')
    p.add_argument('--sampler-memory', action='store_true',
                   help='peak memory of the batch sampler per rank over '
                   'virtual sources of 1e4, 1e6 and 1e8 samples')
    p.add_argument('--source-res', type=int, default=None,
                   help='time the joint and the separate source pass (source '
                   'images at this size) against plain fine-tuning, instead '
                   'of the default cases')
    p.add_argument('--out', help='write the figures as JSON here')
    add_threads_argument(p)
    return p.parse_args()


def main():
    args = parse_args()
    pin_threads(args.threads)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    name = (torch.cuda.get_device_name(0) if device.startswith('cuda') else
            f'cpu ({torch.get_num_threads()} threads)')
    out = dict(device=name, threads=torch.get_num_threads(),
               torch=torch.__version__, model=args.model, amp=args.amp,
               bf16=args.bf16, channels_last=args.channels_last)
    if device.startswith('cuda'):
        torch.backends.cudnn.benchmark = True
    if args.source_res is not None:
        out['source_pass'] = bench_source_pass(args, device)
    else:
        out.update(bench_steps(args, device))
    if args.loader:
        out['loader'] = bench_loader(args.loader_epochs)
    if args.sampler_memory:
        out['sampler_memory'] = bench_sampler_memory()
    print(json.dumps(out, indent=1))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
