"""The premise check of a test bed (``tools/benchmark_premise.py``).

A task can judge soft fine-tuning only if (a) its pre-trained features
carry general discrimination: the k-NN probe on unseen classes scores
clearly above raw pixels and randomly initialised networks; and (b) plain
fine-tuning erodes it: the probe after plain fine-tuning falls clearly
below the pre-trained one, in a regime (learning rate) users fine-tune at.

This runs, on one task and condition: the task's source model
(``pretrain_source``, cached), the probe's references
(``probe_references``), per seed the target's raw-pixel k-NN and linear
probe, and per learning rate, method and seed one run (``run_method``:
same Runner, target batches and seeds for every method) with its probe
and its source top-1 (the forgetting: the fine-tuned backbone with the
trained source head, or, for a model without one, the pre-trained head).
Each result is one JSON record under ``args.out``; a record that exists
is not computed again. :mod:`.premise_table` makes the table.
"""
import json
import os
import os.path as osp
import platform
import time
from typing import Callable, Dict

import torch

from .baselines import linear_probe, model_features, raw_pixel_knn
from .method_parts import run_spec, save
from .method_runs import build_classifier, classify_top1, run_method
from .methods import LR_KEY, METHODS
from .progress import PlanProgress, duration
from .run_record_hook import sequence_digest
from .source_models import (
    LazyPools,
    pretrain_source,
    probe_references,
    source_test_images,
    width_options,
)
from .tasks import TASKS, write_target
from .threads import pin_threads

__all__ = ['LR_KEY', 'machine', 'source_scorer', 'run_premise']

PRETRAIN_CONFIG = 'digits_pretrain.py'


def machine(threads: int) -> dict:
    """The CPU model (``lscpu``'s "Model name", from /proc/cpuinfo), its
    logical CPUs, the threads used and the package versions."""
    model = platform.processor()
    if osp.exists('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f
                     if line.startswith('model name')]
        model = names[0] if names else model
    import mmengine
    import mmpretrain
    return dict(cpu=model, logical_cpus=os.cpu_count(), threads=threads,
                torch=torch.__version__, mmengine=mmengine.__version__,
                mmpretrain=mmpretrain.__version__)


def source_scorer(task: str, pools, config: str, width: int,
                  pretrained: dict) -> Callable[[torch.nn.Module], dict]:
    """A function from a trained model to its ``source_top1``: the
    pre-trained source classifier with the model's backbone and neck and,
    if the model has one, its ``source_head``; on the held-out source
    images of ``pretrain_source``'s ``source_top1``."""
    names = pretrained['class_names']
    images, labels = source_test_images(task, pools, names, per_class=200)
    options = width_options(width, len(names))

    def score(model: torch.nn.Module) -> dict:
        clf = build_classifier(config, options, pretrained['checkpoint'])
        clf.backbone.load_state_dict(model.backbone.state_dict())
        if clf.with_neck:
            clf.neck.load_state_dict(model.neck.state_dict())
        head = getattr(model, 'source_head', None)
        if head is not None:
            clf.head.load_state_dict(head.state_dict())
        return dict(source_top1=classify_top1(clf, images, labels),
                    source_head='trained' if head is not None else
                    'pre-trained')

    return score


def _load(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def run_premise(args) -> Dict[str, list]:
    """Every record of the premise check of ``args.task`` (computing those
    not under ``args.out`` yet).

    Args:
        args (Namespace): ``tools/benchmark_premise.py``'s parsed
            arguments (with ``config_dir``).

    Returns:
        dict: ``task`` (one record), ``cell`` and ``run`` (lists).
    """
    pin_threads(args.threads)
    start = time.perf_counter()
    pools = LazyPools(args.fashion_root, test_per_class=None,
                      cjk_options=args.cjk_options)
    spec = TASKS[args.task]
    key_extra = dict(fashion=osp.abspath(args.fashion_root))
    if spec.source.startswith('cjk_'):
        key_extra['cjk'] = pools.cjk.settings(spec.source[len('cjk_'):])
    drawn = time.perf_counter()
    pools[spec.source]
    draw_seconds = time.perf_counter() - drawn
    pre = pretrain_source(
        args.task, pools, args.cache_dir, args.config_dir, args.width,
        args.pretrain_steps, max_per_class=args.source_per_class,
        key_extra=key_extra)
    print(f'{args.task}: source model '
          + ('from the cache' if pre['cached'] else
             f'trained in {duration(pre["seconds"])}')
          + f', top-1 {pre["source_top1"]:.2f} on held-out source images',
          flush=True)
    config = osp.join(args.config_dir, PRETRAIN_CONFIG)
    probe, refs = probe_references(
        args.task, pools, osp.join(args.out, 'data', 'probe'),
        args.config_dir, args.width, pre, random_seeds=args.random_inits)
    print(f'probe: raw pixels {refs["raw_pixel"]:.2f}, random init '
          f'{", ".join(f"{r:.2f}" for r in refs["random_init"])}, '
          f'pre-trained {refs["pretrained"]:.2f}', flush=True)
    task_rec = dict(
        kind='task', task=args.task, condition=args.condition,
        source_classes=len(pre['class_names']),
        source_top1=pre['source_top1'], pretrain_steps=pre['steps'],
        pretrain_seconds=pre.get('seconds'), pretrain_cached=pre['cached'],
        draw_seconds=draw_seconds, probe=refs, probe_images=len(probe[1]),
        probe_classes=int(probe[1].max()) + 1, settings=pre['settings'],
        cjk=pools.cjk.options if spec.source.startswith('cjk_') else None,
        machine=machine(args.threads))
    scorer = source_scorer(args.task, pools, config, args.width, pre)
    pretrained = build_classifier(config, width_options(
        args.width, len(pre['class_names'])), pre['checkpoint'])
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    progress = PlanProgress(len(seeds) * len(args.lrs) * len(args.methods))
    out = dict(task=task_rec, cell=[], run=[])
    for seed in seeds:
        root = osp.join(args.out, 'data', f's{seed}')
        cell = write_target(args.task, args.condition, seed, pools, root,
                            val_per_class=args.val_per_class)
        path = osp.join(args.out, 'cells', f's{seed}.json')
        if not osp.exists(path):
            knn = raw_pixel_knn(cell['target'], ks=(1, 5))
            save(path, dict(
                kind='cell', seed=seed, knn1=knn['knn1'], knn5=knn['knn5'],
                linear_probe=linear_probe(cell['target'],
                                          model_features(pretrained)),
                train_counts=cell['train_counts'],
                target_classes=len(cell['class_names'])))
        out['cell'].append(_load(path))
        run = run_spec(args, pre, cell, seed, cell['target'])
        for lr in args.lrs:
            for name in args.methods:
                path = osp.join(args.out, 'runs', f'{name}_lr{lr}',
                                f't{args.threads}_s{seed}.json')
                if osp.exists(path):
                    progress.skipped()
                    out['run'].append(_load(path))
                    continue
                sub = f'{name}_lr{lr}/t{args.threads}_s{seed}'
                rec = run_method(
                    METHODS[name], run, {LR_KEY: lr},
                    osp.join(args.out, 'work', sub), args.config_dir,
                    f'premise_{sub}_{time.time_ns()}'.replace('/', '_'),
                    probe, scores=scorer)
                rec['batches_digest'] = sequence_digest(
                    rec.pop('batch_digests'))
                for key in ('target_batches', 'target_labels'):
                    rec.pop(key)
                rec.update(kind='run', method=name, lr=lr, seed=seed,
                           threads=args.threads, epochs=run.epochs)
                save(path, rec)
                out['run'].append(rec)
                progress.finished(rec['wall_seconds'])
                print(f'{progress.counter()} {name} lr {lr} seed {seed}: '
                      f'top1 {rec["top1"]:.2f}, probe '
                      f'{rec.get("probe_top1", float("nan")):.2f}, source '
                      f'top1 {rec.get("source_top1", float("nan")):.2f} in '
                      f'{rec["wall_seconds"]:.1f} s ({rec["steps"]} steps); '
                      f'{progress.timing()}', flush=True)
    task_rec['wall_seconds'] = time.perf_counter() - start
    return out
