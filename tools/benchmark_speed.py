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
import statistics
import tempfile
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from softft_toolkit import (
    load_digit_images,
    run_training,
    write_digits_source,
    write_digits_target,
)
from softft_toolkit.threads import add_threads_argument, pin_threads

import mmsoftft  # noqa: F401
from mmsoftft.datasets import stack_collate
from mmsoftft.models import use_channels_last

REPO_CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                        'configs')


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


def model_cfgs(name):
    """The plain and soft fine-tuning model configs, as shipped.

    ``demo``: the demo's small ResNet (configs/_base_/models/); ``resnet50``:
    the model of configs/finetune_resnet50_cub.py (mmpretrain's ResNet-50,
    which mmengine resolves from its ``mmpretrain::`` base) and
    configs/_base_/models/softft_resnet50.py. No checkpoint is loaded: the
    timing needs no pre-trained weights (and no download).
    """
    models = osp.join(REPO_CONFIGS, '_base_', 'models')
    if name == 'demo':
        plain = Config.fromfile(osp.join(models,
                                         'resnet18_cifar_digits.py')).model
        softft = Config.fromfile(
            osp.join(models, 'softft_resnet18_cifar_digits.py')).model
    else:
        plain = Config.fromfile(
            osp.join(REPO_CONFIGS, 'finetune_resnet50_cub.py')).model
        softft = Config.fromfile(osp.join(models, 'softft_resnet50.py')).model
    for cfg in (plain, softft):
        for part in ('backbone', 'source_head'):
            if part in cfg:
                cfg[part].init_cfg = None
        cfg.head.num_classes = 200 if name == 'resnet50' else 5
        cfg.data_preprocessor = dict(
            type='ClsDataPreprocessor', num_classes=cfg.head.num_classes,
            mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
            to_rgb=True)
    return plain.to_dict(), softft.to_dict()


class Case:
    """One model + optimizer + fixed batch, timed by ``run(n)``."""

    def __init__(self, cfg, device, amp, bf16, channels_last, inputs,
                 samples, source_weight=None):
        torch.manual_seed(0)
        if channels_last:  # as tools/train.py --channels-last
            cfg = use_channels_last(dict(cfg))
        self.model = MODELS.build(cfg).to(device)
        if source_weight is not None:
            self.model.source_weight = source_weight
        wrapper = dict(type='OptimWrapper')
        if amp:
            wrapper = dict(type='AmpOptimWrapper',
                           dtype='bfloat16' if bf16 else 'float16')
        self.optim = build_optim_wrapper(self.model, dict(
            wrapper, optimizer=dict(type='SGD', lr=0.001, momentum=0.9)))
        self.data = dict(inputs=inputs, data_samples=samples)
        self.device = device

    def sync(self):
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()

    def run(self, n):
        self.sync()
        start = time.perf_counter()
        for _ in range(n):
            self.model.train_step(self.data, self.optim)
        self.sync()
        return (time.perf_counter() - start) / n


def make_batch(n_target, n_source, res, num_source_classes):
    inputs = [torch.randint(0, 255, (3, res, res), dtype=torch.uint8)
              for _ in range(n_target + n_source)]
    samples = [
        DataSample(metainfo=dict(domain='target')).set_gt_label(i % 5)
        for i in range(n_target)
    ] + [
        DataSample(metainfo=dict(domain='source')).set_gt_label(
            i % num_source_classes) for i in range(n_source)
    ]
    return inputs, samples


def bench_steps(args, device):
    res = args.res or (32 if args.model == 'demo' else 448)
    n_src = args.batch if args.source_batch is None else args.source_batch
    plain_cfg, soft_cfg = model_cfgs(args.model)
    n_src_cls = soft_cfg['source_head']['num_classes']
    t_inputs, t_samples = make_batch(args.batch, 0, res, n_src_cls)
    m_inputs, m_samples = make_batch(args.batch, n_src, res, n_src_cls)
    flags = (device, args.amp, args.bf16, args.channels_last)
    cases = {
        'plain': Case(plain_cfg, *flags, t_inputs,
                      [DataSample().set_gt_label(int(s.gt_label))
                       for s in t_samples]),
        'soft_w>0': Case(soft_cfg, *flags, m_inputs, m_samples, 0.5),
        'soft_w=0': Case(soft_cfg, *flags, t_inputs, t_samples, 0.0),
    }
    # plain fine-tuning on as many images per step as soft's w>0 step:
    # separates the method's overhead from batch-size scaling
    s_inputs, _ = make_batch(args.batch + n_src, 0, res, n_src_cls)
    cases['plain_same_images'] = Case(
        plain_cfg, *flags, s_inputs,
        [DataSample().set_gt_label(i % 5) for i in range(len(s_inputs))])
    if args.compare_layouts:
        cases['plain_default_layout'] = Case(
            plain_cfg, device, False, False, False, t_inputs,
            cases['plain'].data['data_samples'])
    images = {k: args.batch for k in cases}
    images['soft_w>0'] = images['plain_same_images'] = args.batch + n_src
    for case in cases.values():
        case.run(args.warmup)
    times = {k: [] for k in cases}
    names = list(cases)
    for r in range(args.rounds):
        # rotate the order: each case takes each place in a round alike
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(cases[name].run(args.iters))
    out = dict(res=res, batch=args.batch, source_batch=n_src,
               rounds=args.rounds, iters_per_round=args.iters)
    for name in cases:
        sec = statistics.median(times[name])
        model = cases[name].model
        out[name] = dict(sec_per_iter=round(sec, 5),
                         img_per_s=round(images[name] / sec, 1),
                         # unrounded: the ratios can be recomputed exactly
                         sec_per_iter_rounds=times[name],
                         model=type(model).__name__,
                         params=sum(p.numel() for p in model.parameters()))

    def ratio(key, num, den, per_image):
        """Median and quartiles of the ratio paired within each round."""
        values = [
            (images[num] / a) / (images[den] / b) if per_image else a / b
            for a, b in zip(times[num], times[den])
        ]
        out[key] = round(statistics.median(values), 3)
        if len(values) > 1:
            q1, _, q3 = statistics.quantiles(values, n=4)
            out[key + '_iqr'] = [round(q1, 3), round(q3, 3)]

    ratio('ratio_per_image_soft_vs_plain', 'soft_w>0', 'plain', True)
    ratio('ratio_per_image_soft_vs_plain_same_images', 'soft_w>0',
          'plain_same_images', True)
    ratio('ratio_per_image_plain_same_images_vs_plain', 'plain_same_images',
          'plain', True)
    ratio('ratio_iter_time_w0_vs_plain', 'soft_w=0', 'plain', False)
    if args.compare_layouts:
        ratio('ratio_shipped_vs_default_layout', 'plain',
              'plain_default_layout', True)
    return out


def bench_source_pass(args, device):
    """Plain, joint-pass soft and separate-pass soft (``w`` > 0) in
    interleaved rounds: the same target batch at ``--res``; the joint pass
    with ``--source-batch`` source images at ``--res`` (one batch needs one
    size), the separate pass with them at ``--source-res``. Each case gets
    the batch ``stack_collate`` makes of its images, as in training."""
    res = args.res or (32 if args.model == 'demo' else 448)
    n_src = args.batch if args.source_batch is None else args.source_batch
    plain_cfg, soft_cfg = model_cfgs(args.model)
    n_src_cls = soft_cfg['source_head']['num_classes']

    def collated(n_source, source_res):
        inputs, samples = make_batch(args.batch, n_source, res, n_src_cls)
        source = make_batch(0, n_source, source_res, n_src_cls)[0]
        inputs[args.batch:] = source  # the source pipeline's size
        return stack_collate([
            dict(inputs=x, data_samples=s) for x, s in zip(inputs, samples)
        ])

    separate_cfg = dict(
        soft_cfg, source_forward='separate',
        data_preprocessor=dict(soft_cfg['data_preprocessor'],
                               type='SourceTargetDataPreprocessor'))
    flags = (device, args.amp, args.bf16, args.channels_last)
    plain, joint, separate = (collated(0, res), collated(n_src, res),
                              collated(n_src, args.source_res))
    cases = {
        'plain': Case(plain_cfg, *flags, plain['inputs'],
                      [DataSample().set_gt_label(int(s.gt_label))
                       for s in plain['data_samples']]),
        'joint': Case(soft_cfg, *flags, joint['inputs'],
                      joint['data_samples'], 0.5),
        'separate': Case(separate_cfg, *flags, separate['inputs'],
                         separate['data_samples'], 0.5),
    }
    for case in cases.values():
        case.run(args.warmup)
    times = {k: [] for k in cases}
    names = list(cases)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(cases[name].run(args.iters))
    out = dict(res=res, source_res=args.source_res, batch=args.batch,
               source_batch=n_src, rounds=args.rounds,
               iters_per_round=args.iters)
    for name in cases:
        inputs = cases[name].data['inputs']
        out[name] = dict(
            sec_per_iter=round(statistics.median(times[name]), 5),
            sec_per_iter_rounds=times[name],
            input_shapes={k: list(v.shape) for k, v in inputs.items()}
            if isinstance(inputs, dict) else list(inputs.shape))
        if name != 'plain':
            values = [a / b for a, b in zip(times[name], times['plain'])]
            out[name]['ratio_iter_time_w_gt0_vs_plain'] = round(
                statistics.median(values), 3)
            if len(values) > 1:
                q1, _, q3 = statistics.quantiles(values, n=4)
                out[name]['ratio_iter_time_w_gt0_vs_plain_iqr'] = [
                    round(q1, 3), round(q3, 3)]
    return out


def bench_loader(epochs=4):
    """Train the demo's plain and soft fine-tuning configs on the digits
    with the real Runner and its DataLoader (plain, soft, soft, plain, same
    seed and target batches). Return, for plain, soft while the source
    weight is > 0 and soft after it reached 0: the fraction of iteration
    time spent waiting for data and the images/s of the median iteration;
    and the two goal ratios measured that way."""
    with tempfile.TemporaryDirectory() as tmp:
        images, labels = load_digit_images()
        source = write_digits_source(osp.join(tmp, 'src'), [0, 1, 2, 3, 4],
                                     images, labels)
        target = write_digits_target(osp.join(tmp, 'tgt'), [5, 6, 7, 8, 9],
                                     images, labels, shots=None)
        common = {
            'train_cfg.max_epochs': epochs,
            'train_cfg.val_interval': epochs + 1,
            'param_scheduler.0.end': epochs,
            'param_scheduler.0.T_max': epochs,
            'val_dataloader.dataset.data_root': target,
            'log_level': 'WARNING',
        }
        configs = {
            'plain': ('finetune_digits.py', {
                'model.backbone.init_cfg': None,
                'train_dataloader.dataset.data_root': target,
            }),
            'soft': ('softft_digits.py', {
                'model.backbone.init_cfg': None,
                'model.source_head.init_cfg': None,
                'train_dataloader.dataset.source.data_root': source,
                'train_dataloader.dataset.target.data_root': target,
            }),
        }
        runs = {name: dict(data=[], time=[], weight=[]) for name in configs}
        # ABBA order: drift and first-run effects hit both alike
        for i, name in enumerate(('plain', 'soft', 'soft', 'plain')):
            config, options = configs[name]
            job = run_training(
                osp.join(REPO_CONFIGS, 'demo', config),
                osp.join(tmp, f'{name}{i}'), dict(common, **options),
                experiment_name=f'bench_loader_{name}{i}')
            hub = job['runner'].message_hub
            for field, key in (('data', 'train/data_time'),
                               ('time', 'train/time'),
                               ('weight', 'train/source_weight')):
                if key in hub.log_scalars:
                    runs[name][field].append(hub.get_scalar(key).data[0])
            runs[name]['loader'] = job['runner'].cfg.train_dataloader
    for run in runs.values():
        for key in ('data', 'time', 'weight'):
            run[key] = np.concatenate(run[key]) if run[key] else None
    loader = runs['soft']['loader']
    batch = loader.batch_size
    source_batch = loader.batch_sampler.source_batch_size
    out = dict(epochs=epochs, batch=batch, source_batch=source_batch,
               num_workers=loader.num_workers)
    weight = runs['soft']['weight']
    cases = (('plain', runs['plain'], None, batch),
             ('soft_w>0', runs['soft'], weight > 0, batch + source_batch),
             ('soft_w=0', runs['soft'], weight == 0, batch))
    for name, run, mask, n_images in cases:
        data, times = run['data'], run['time']
        if mask is not None:
            data, times = data[mask], times[mask]
        sec = float(statistics.median(times.tolist()))
        out[name] = dict(
            iters=len(times), sec_per_iter=round(sec, 5),
            img_per_s=round(n_images / sec, 1),
            data_wait_fraction=round(float(data.sum() / times.sum()), 3))
    out['ratio_per_image_soft_vs_plain'] = round(
        out['soft_w>0']['img_per_s'] / out['plain']['img_per_s'], 3)
    out['ratio_iter_time_w0_vs_plain'] = round(
        out['soft_w=0']['sec_per_iter'] / out['plain']['sec_per_iter'], 3)
    return out


class VirtualDataset:
    """``n`` samples and no annotation list: a stand-in for a huge source."""

    def __init__(self, n):
        from mmengine.dataset import BaseDataset

        class _Virtual(BaseDataset):

            def full_init(inner):
                inner._fully_initialized = True

            def __len__(inner):
                return n

        self.dataset = _Virtual(lazy_init=True)


def bench_sampler_memory(sizes=(10**4, 10**6, 10**8), world_size=2):
    """Peak Python heap (tracemalloc) of building the batch sampler and
    drawing one epoch of 1000 batches of 64 source indices, per rank."""
    import tracemalloc
    from unittest import mock

    from mmengine.dataset import DefaultSampler

    from mmsoftft.datasets import SourceTargetBatchSampler, SourceTargetDataset
    target = VirtualDataset(8000).dataset
    out = {}
    for size in sizes:
        dataset = SourceTargetDataset(
            source=VirtualDataset(size).dataset, target=target,
            check_files=0)
        peaks = []
        for rank in range(world_size):
            with mock.patch('mmengine.dataset.sampler.get_dist_info',
                            return_value=(rank, world_size)), mock.patch(
                                'mmsoftft.datasets.samplers.'
                                'source_target_batch_sampler.get_dist_info',
                                return_value=(rank, world_size)):
                tracemalloc.start()
                sampler = SourceTargetBatchSampler(
                    DefaultSampler(dataset, seed=0), 4, source_batch_size=64)
                sampler.sampler.set_epoch(3)
                n = sum(len(b) for b in sampler)
                peaks.append(tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
        out[f'source_{size:.0e}'] = dict(
            indices_per_rank=n, peak_bytes_per_rank=peaks)
    return out


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
