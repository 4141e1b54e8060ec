"""End-to-end training speed of the shipped ResNet-50 configs, through
``tools/train.py`` as a user runs it (``tools/benchmark_e2e.py``).

Writes synthetic photo-like JPEGs in CUB's layout (target) and ImageNet's
layout (source) and an ImageNet-1k-shaped ResNet-50 checkpoint, runs
``tools/train.py`` per entry of :data:`RUNS` with the real DataLoader,
each iteration logged, and reads back per run and phase the seconds per
iteration, images per second, the data-wait fraction and the seconds from
the last checkpoint to the process's exit (with the loader shutdown line
that ``LoaderShutdownHook`` logs).
"""
import glob
import json
import os
import os.path as osp
import shutil
import statistics
import sys
import tempfile

import torch
from mmengine.config import Config

from mmsoftft.engine import read_shutdown_line

from .synthetic import (
    synthetic_jpegs,
    write_in1k_checkpoint,
    write_synthetic_cub,
    write_synthetic_imagenet,
)
from .timed_run import last_checkpoint_is, run_until_exit

__all__ = ['CHECKPOINT_KEY', 'CONFIGS', 'RUNS', 'run_e2e']

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(plain=osp.join(REPO, 'configs', 'plain_resnet50_cub.py'),
               soft=osp.join(REPO, 'configs', 'softft_resnet50_cub.py'))
RUNS = dict(plain_default=('plain', False), plain_fast=('plain', True),
            soft_fast=('soft', True))
# The one checkpoint key, the same for both configs: the soft config's
# source head takes the backbone's checkpoint.
CHECKPOINT_KEY = 'model.backbone.init_cfg.checkpoint'


def pipeline_options(config, res):
    """cfg-options that crop the train pipelines to ``res`` (448 keeps the
    configs' sizes): Resize to res * 600 / 448, RandomCrop to res and
    RandomResizedCrop (the source images') to res * 224 / 448."""
    dataset = Config.fromfile(config).train_dataloader.dataset
    if 'pipeline' in dataset:
        pipelines = {'train_dataloader.dataset': dataset.pipeline}
    else:
        pipelines = {
            f'train_dataloader.dataset.{part}': dataset[part].pipeline
            for part in ('target', 'source')
        }
    sizes = dict(Resize=('scale', round(res * 600 / 448)),
                 RandomCrop=('crop_size', res),
                 RandomResizedCrop=('scale', round(res * 224 / 448)))
    options = {}
    for prefix, pipeline in pipelines.items():
        for i, step in enumerate(pipeline):
            if step['type'] in sizes:
                key, value = sizes[step['type']]
                options[f'{prefix}.pipeline.{i}.{key}'] = value
    return options


def run_options(kind, args, data, checkpoint):
    options = {
        CHECKPOINT_KEY: checkpoint,
        'train_dataloader.batch_size': args.batch,
        'train_dataloader.num_workers': args.workers,
        'train_cfg.max_epochs': 1,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.logger.interval': 1,
        **pipeline_options(CONFIGS[kind], args.res),
    }
    if kind == 'plain':
        options['train_dataloader.dataset.data_root'] = data['target']
    else:
        options.update({
            'train_dataloader.dataset.target.data_root': data['target'],
            'train_dataloader.dataset.source.data_root': data['source'],
            'train_dataloader.batch_sampler.source_batch_size':
            args.source_batch,
        })
    return options


def fast_flags(device):
    if device == 'cuda':
        return ['--amp', '--amp-dtype', 'bfloat16', '--channels-last']
    return ['--channels-last']


def iteration_log(work_dir):
    """Per-iteration ``time``, ``data_time`` and ``source_weight`` from
    the run's scalars.json (the logger logs every iteration)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'No scalars.json under {work_dir}')
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if '"time"' in line]


def phase_figures(rows, n_images_target, n_images_all):
    times = [r['time'] for r in rows]
    sec = statistics.median(times)
    return dict(
        iters=len(rows), sec_per_iter=round(sec, 5),
        target_img_per_s=round(n_images_target / sec, 1),
        all_img_per_s=round(n_images_all / sec, 1),
        data_wait_fraction=round(
            sum(r['data_time'] for r in rows) / sum(times), 4))


def summarise(kind, rows, args):
    """Figures of a run's iterations, per phase."""
    steady = rows[args.skip:]
    out = dict(data_wait_fraction_all_iters=round(
        sum(r['data_time'] for r in rows) / sum(r['time'] for r in rows), 4))
    if kind == 'plain':
        out['all'] = phase_figures(steady, args.batch, args.batch)
        return out
    for phase, keep in (('w>0', lambda w: w > 0), ('w=0', lambda w: w == 0)):
        part = [r for r in steady if keep(r['source_weight'])]
        if part:
            extra = args.source_batch if phase == 'w>0' else 0
            out[phase] = phase_figures(part, args.batch, args.batch + extra)
    return out


def write_data(root, args):
    jpegs = synthetic_jpegs(64, args.width, args.height)
    n = args.batch * args.iters  # one epoch of --iters iterations
    data = dict(
        target=write_synthetic_cub(osp.join(root, 'CUB_200_2011'), n, 200,
                                   jpegs),
        source=write_synthetic_imagenet(
            osp.join(root, 'imagenet'), args.source_batch * args.iters,
            1000, jpegs))
    model = Config.fromfile(CONFIGS['plain']).model.to_dict()
    checkpoint = write_in1k_checkpoint(
        osp.join(root, 'resnet50_in1k_synthetic.pth'), model)
    return data, checkpoint


def write_json(out, path):
    if path:
        with open(path, 'w') as f:
            json.dump(out, f, indent=1)


def add_ratios(out):
    runs = out['runs']

    def sec(name, phase):
        return runs.get(name, {}).get(phase, {}).get('sec_per_iter')

    base, fast = sec('plain_default', 'all'), sec('plain_fast', 'all')
    if base and fast:
        out['speedup_plain_fast_vs_default'] = round(base / fast, 3)
    for phase, key in (('w>0', 'ratio_iter_time_soft_w_pos_vs_plain_fast'),
                       ('w=0', 'ratio_iter_time_soft_w0_vs_plain_fast')):
        soft = sec('soft_fast', phase)
        if fast and soft:
            out[key] = round(soft / fast, 3)


def run_e2e(args) -> int:
    """Write the data, run every run of ``args.runs``, print and write
    the figures (to ``args.out`` after each run).

    Args:
        args (Namespace): ``tools/benchmark_e2e.py``'s parsed arguments.

    Returns:
        int: 0 if every run exited with 0, else 1.
    """
    root = args.work_dir or tempfile.mkdtemp(prefix='softft_e2e_')
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    if args.device == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    if args.threads is not None:
        env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(args.threads)
    out = dict(
        device=(torch.cuda.get_device_name(0)
                if args.device == 'cuda' else f'cpu ({os.cpu_count()} '
                'cores)'),
        torch=torch.__version__, res=args.res,
        image_size=[args.width, args.height], batch=args.batch,
        source_batch=args.source_batch, iters=args.iters, skip=args.skip,
        workers=args.workers, threads=args.threads,
        checkpoint_key=CHECKPOINT_KEY, runs={})
    try:
        data, checkpoint = write_data(root, args)
        for name in args.runs:
            out['runs'][name] = train_run(name, args, data, checkpoint, root,
                                          env)
            print(f'{name}: {json.dumps(out["runs"][name])}', flush=True)
            add_ratios(out)
            write_json(out, args.out)
    finally:
        if not args.work_dir:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(out, indent=1))
    return 0 if all(r['returncode'] == 0
                    for r in out['runs'].values()) else 1


def train_run(name, args, data, checkpoint, root, env):
    """One tools/train.py run, timed; its figures."""
    kind, fast = RUNS[name]
    work = osp.join(root, name)
    options = run_options(kind, args, data, checkpoint)
    flags = fast_flags(args.device) if fast else []
    cmd = [
        sys.executable, osp.join(REPO, 'tools', 'train.py'), CONFIGS[kind],
        '--work-dir', work, '--no-validate', *flags, '--cfg-options',
        *[f'{k}={v}' for k, v in options.items()]
    ]
    os.makedirs(work, exist_ok=True)
    result = run_until_exit(cmd, osp.join(work, 'run.log'),
                            last_checkpoint_is(work, 'epoch_1.pth'),
                            args.timeout, env=env, cwd=REPO)
    after = result['exit_after_event_s']
    run = dict(config=osp.relpath(CONFIGS[kind], REPO), flags=flags,
               returncode=result['returncode'],
               wall_s=round(result['wall_s'], 2),
               exit_after_checkpoint_s=None if after is None else round(
                   after, 2),
               processes_left_behind=result['left_behind'],
               loader_shutdown=read_shutdown_line(result['output']))
    if result['returncode'] == 0:
        run.update(summarise(kind, iteration_log(work), args))
    else:
        run['log_tail'] = result['output'][-3000:]
    return run
