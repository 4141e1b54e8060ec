"""Time ``train_step`` of plain and soft fine-tuning in one process.

The cases of ``tools/benchmark_speed.py``: the same network, target batch
and optimizer through MMEngine's OptimWrapper/AmpOptimWrapper and the
models' ``train_step``, timed in interleaved rounds whose order rotates
(noise and position hit every case alike). See the script's docstring for
the cases and goals.
"""
import os.path as osp
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmsoftft  # noqa: F401 (registers the models)
from mmsoftft.datasets import stack_collate
from mmsoftft.models import use_channels_last

__all__ = [
    'Case', 'bench_source_pass', 'bench_steps', 'make_batch', 'model_cfgs',
    'timed_rounds'
]

REPO_CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                        'configs')


def model_cfgs(name):
    """The plain and soft fine-tuning model configs, as shipped.

    ``demo``: the demo's small ResNet (configs/_base_/models/); ``resnet50``:
    the model of configs/plain_resnet50_cub.py (mmpretrain's ResNet-50,
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
            osp.join(REPO_CONFIGS, 'plain_resnet50_cub.py')).model
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
    """Random ``uint8`` images and their samples: ``n_target`` target
    samples (5 classes) then ``n_source`` source samples."""
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


def timed_rounds(cases: dict, args) -> dict:
    """Each case's seconds per iteration in ``args.rounds`` interleaved
    rounds of ``args.iters`` iterations, after ``args.warmup``; the order
    rotates, so each case takes each place in a round alike."""
    for case in cases.values():
        case.run(args.warmup)
    times = {k: [] for k in cases}
    names = list(cases)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(cases[name].run(args.iters))
    return times


def bench_steps(args, device):
    """Time every case; return the figures.

    Args:
        args (Namespace): ``tools/benchmark_speed.py``'s arguments
            (``model``, ``res``, ``batch``, ``source_batch``, ``amp``,
            ``bf16``, ``channels_last``, ``compare_layouts``, ``warmup``,
            ``rounds``, ``iters``).
        device (str): ``'cpu'`` or ``'cuda'``.

    Returns:
        dict: Per case the median seconds per iteration, images/s and every
        round's time; the ratios, paired within each round.
    """
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
    times = timed_rounds(cases, args)
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
    times = timed_rounds(cases, args)
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
