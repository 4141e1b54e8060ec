"""A part of ``tools/benchmark_methods.py``: its runs over tasks,
conditions, seeds and methods (driven by :mod:`.method_benchmark`'s
``run_part`` and ``select_part``).

A :class:`Part` writes each cell's data (``tasks.write_target``), its
reference points, and one JSON record per run under ``args.out``; a run
whose record exists is skipped, so parts can be interrupted, repeated and
split. It prints a line per task (its source model) and per run, with
``[done/total]``, the elapsed time and the time left. ``args`` is the
tool's parsed command line (``config_dir`` added).
"""
import hashlib
import json
import os
import os.path as osp
import shutil
import time

from .baselines import linear_probe, model_features, raw_pixel_knn
from .conditions import CONDITIONS
from .method_runs import build_classifier, run_method
from .methods import SHARED_KEYS, RunSpec
from .progress import PlanProgress, duration
from .run_record_hook import sequence_digest
from .source_models import (
    LazyPools,
    is_pretrained,
    pretrain_settings,
    pretrain_source,
    probe_references,
    source_test_images,
    width_options,
)
from .tasks import TASKS, write_target

__all__ = ['SETTINGS', 'Part', 'params_of', 'run_spec', 'save', 'slug']

# what every run of one report should share (recorded with each run; the
# pre-training's settings are per task, in the task records)
SETTINGS = ('width', 'batch_size', 'source_batch_size', 'min_steps',
            'min_epochs', 'val_points', 'max_train_per_class',
            'val_per_class', 'test_per_class', 'workers',
            'forgetting_per_class')


def save(path: str, record: dict) -> None:
    """Write a JSON record atomically (an interrupted part leaves no
    half-written record that would be taken as done)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(record, f, indent=1)
    os.replace(path + '.tmp', path)


def load(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def run_spec(args, pre: dict, cell: dict, seed: int,
             eval_root: str) -> RunSpec:
    """Every method's run of a cell and seed: at least ``min_steps``
    optimiser steps and ``min_epochs`` epochs, ``val_points``
    validations."""
    n_train = sum(cell['train_counts'])
    per_epoch = -(-n_train // args.batch_size)
    epochs = max(args.min_epochs, -(-args.min_steps // per_epoch))
    return RunSpec(
        seed=seed, epochs=epochs,
        val_interval=max(1, -(-epochs // args.val_points)),
        batch_size=args.batch_size, width=args.width,
        target_root=cell['target'], eval_root=eval_root,
        source_root=pre['source_root'], checkpoint=pre['checkpoint'],
        num_target=len(cell['class_names']),
        num_source=len(pre['class_names']), workers=args.workers,
        source_batch_size=args.source_batch_size)


def params_of(name, method, selection, select_params=None):
    """Hyper-parameters of a run: plain's selected BatchNorm handling and
    learning rate for pre-trained methods (:data:`SHARED_KEYS`), then the
    method's fixed ``params``, then its selected ones (or a
    candidate's)."""
    shared = {}
    if method.pretrained and 'plain' in selection:
        shared = {k: v for k, v in selection['plain']['params'].items()
                  if k in SHARED_KEYS}
    own = select_params if select_params is not None else selection.get(
        name, {}).get('params', {})
    return {**shared, **method.params, **own}


def data_digest(*roots) -> str:
    """Digest of what a run trained and was evaluated on: for each CUB
    root of ``roots``, in its listing order, every image file's bytes,
    label and split; file names left out (every seed's cell names its
    images alike, so names would say nothing about the subset)."""
    sha = hashlib.sha1()
    for root in roots:
        tables = {}
        for name in ('images.txt', 'image_class_labels.txt',
                     'train_test_split.txt'):
            with open(osp.join(root, name)) as f:
                tables[name] = dict(line.split(maxsplit=1)
                                    for line in f if line.strip())
        sha.update(b'root')
        for image_id, rel in tables['images.txt'].items():
            with open(osp.join(root, 'images', rel.strip()), 'rb') as f:
                sha.update(f.read())
            sha.update(' {} {};'.format(
                tables['image_class_labels.txt'][image_id].strip(),
                tables['train_test_split.txt'][image_id].strip()).encode())
    return sha.hexdigest()[:16]


def slug(params: dict) -> str:
    """Short readable name of hyper-parameters (a folder name)."""
    text = ','.join(f'{k.split(".")[-1]}={v}' for k, v in params.items())
    return text or 'shipped'


class Part:
    """One invocation's runs over tasks, conditions and seeds.

    Args:
        args (Namespace): The tool's parsed command line.
        total (int): Runs in the plan, for the progress lines.
    """

    def __init__(self, args, total: int):
        self.args = args
        self.pools = LazyPools(args.fashion_root, dict(
            num_classes=args.glyph_classes, font_root=args.font_root,
            train_per_class=min(args.source_per_class, 100),
            test_per_class=50, min_fonts=3 if not args.quick else 1),
            args.test_per_class or None,
            dict(getattr(args, 'cjk_options', None) or {},
                 font_root=args.font_root,
                 cache_dir=osp.join(args.cache_dir, 'pools')))
        # parts running at the same time into one --out (other methods or
        # seeds) each write and delete their own data
        self.data_root = osp.join(args.out, 'data') if args.keep_data else \
            osp.join(args.out, 'data', f'p{os.getpid()}')
        self.selection = {}
        sel = osp.join(args.out, 'selection.json')
        if osp.exists(sel):
            self.selection = {s['method']: s for s in load(sel)['methods']}
        self.runs = 0
        self.pretrain_seconds = 0.0
        self.pretrained = 0
        self.reached = set()
        self.source_tests = {}
        self.progress = PlanProgress(total)

    def _source_options(self, task: str) -> dict:
        """What a task's source model depends on beyond the task (for a
        CJK source, the key of ``tools/benchmark_premise.py``'s model:
        one cached model serves both tools)."""
        a = self.args
        source = TASKS[task].source
        if source.startswith('cjk_'):
            key_extra = dict(fashion=osp.abspath(a.fashion_root),
                             cjk=self.pools.cjk.settings(source[4:]))
        else:
            key_extra = dict(fashion=osp.abspath(a.fashion_root),
                             fonts=osp.abspath(a.font_root),
                             glyph_classes=a.glyph_classes)
        return dict(width=a.width, steps=a.pretrain_steps,
                    max_per_class=a.source_per_class, key_extra=key_extra)

    def timing(self) -> str:
        """Elapsed and left, the later tasks' pre-training included (at
        the mean time of those trained so far)."""
        left = [t for t in self.args.tasks if t not in self.reached and
                not is_pretrained(self.args.cache_dir, pretrain_settings(
                    t, **self._source_options(t)))]
        if not left:
            return self.progress.timing()
        if self.pretrained:
            return self.progress.timing(
                len(left) * self.pretrain_seconds / self.pretrained)
        return self.progress.timing(
            extra=f'(+ pre-training {", ".join(left)})')

    def task(self, task: str, probe: bool = True) -> tuple:
        """The task's pre-trained source model and (with ``probe``) its
        probe images, writing the task record; its held-out source
        images (the forgetting curve's) go to ``source_tests``."""
        a = self.args
        pre = pretrain_source(task, self.pools, a.cache_dir, a.config_dir,
                              **self._source_options(task))
        self.reached.add(task)
        if not pre['cached']:
            self.pretrain_seconds += pre['seconds']
            self.pretrained += 1
        print(f'{task}: source model '
              + (f'trained in {duration(pre["seconds"])}'
                 if not pre['cached'] else 'from the cache')
              + f', top-1 {pre["source_top1"]:.2f} on held-out source '
              'images', flush=True)
        if not probe:
            return pre, None
        self.source_tests[task] = source_test_images(
            task, self.pools, pre['class_names'],
            per_class=a.forgetting_per_class)
        probe, refs = probe_references(task, self.pools, osp.join(
            self.data_root, task, 'probe'), a.config_dir, a.width, pre)
        save(osp.join(a.out, 'tasks', f'{task}.json'), dict(
            kind='task', task=task, source_classes=pre['class_names'],
            source_top1=pre['source_top1'], pretrain_steps=pre['steps'],
            pretrain_seconds=pre['seconds'], probe=refs,
            settings=pre['settings']))
        return pre, probe

    def cell(self, task: str, condition: str, seed: int) -> tuple:
        """Write the cell's target and validation sets."""
        root = osp.join(self.data_root, task, condition, f's{seed}')
        cap = None if CONDITIONS[condition].shots else \
            self.args.max_train_per_class
        return write_target(task, condition, seed, self.pools, root,
                            val_per_class=self.args.val_per_class,
                            max_train_per_class=cap), root

    def references(self, task, condition, seed, cell, pre):
        """Raw-pixel k-NN and the linear probe of one cell and seed."""
        a = self.args
        path = osp.join(a.out, 'cells', task, condition, f's{seed}.json')
        if osp.exists(path):
            return
        model = build_classifier(
            osp.join(a.config_dir, 'digits_pretrain.py'),
            width_options(a.width, len(pre['class_names'])),
            pre['checkpoint'])
        knn = raw_pixel_knn(cell['target'], ks=(1, 5))
        save(path, dict(
            kind='cell', task=task, condition=condition, seed=seed,
            knn1=knn['knn1'], knn5=knn['knn5'],
            linear_probe=linear_probe(cell['target'], model_features(model)),
            train_counts=cell['train_counts'], noisy=cell['noisy']))

    def run(self, phase: str, task: str, condition: str, seed: int,
            name: str, params: dict, spec: RunSpec, probe) -> dict:
        """One method's run (``phase`` 'test' or 'select'), or its
        existing record."""
        a = self.args
        sub = osp.join(phase, task, condition, name) + (
            f'/{slug(params)}' if phase == 'select' else '')
        path = osp.join(a.out, 'runs', sub, f't{a.threads}_s{seed}.json')
        if osp.exists(path):
            self.progress.skipped()
            return load(path)
        method = a.method_table[name]
        run = f't{a.threads}_s{seed}'
        test = phase == 'test'
        rec = run_method(
            method, spec, params, osp.join(a.out, 'work', sub, run),
            a.config_dir, f'{sub}_{run}_{time.time_ns()}'.replace('/', '_'),
            probe if test else None,
            self.source_tests.get(task) if test else None)
        digest = sequence_digest(rec.pop('batch_digests'))
        for key in ('target_batches', 'target_labels'):
            rec.pop(key)
        rec.update(
            kind='run', phase=phase, task=task, condition=condition,
            method=name, seed=seed, threads=a.threads, params=params,
            params_id=slug(params), config=method.config,
            batches_digest=digest, epochs=spec.epochs,
            data_digest=data_digest(spec.target_root, spec.eval_root),
            settings={k: getattr(a, k) for k in SETTINGS})
        save(path, rec)
        self.runs += 1
        self.progress.finished(rec['wall_seconds'])
        print(f'{self.progress.counter()} {sub} seed {seed}: top1 '
              f'{rec["top1"]:.2f}'
              f'{" (DIVERGED: chance level)" if rec["diverged"] else ""} in '
              f'{rec["wall_seconds"]:.1f} s ({rec["steps"]} steps); '
              f'{self.timing()}', flush=True)
        return rec

    def cells(self, probe: bool = True):
        """Yield every task, condition and seed with its data, deleted
        afterwards unless ``keep_data``."""
        a = self.args
        for task in a.tasks:
            pre, probe = self.task(task, probe)
            for condition in a.conditions:
                for seed in range(a.first_seed, a.first_seed + a.seeds):
                    cell, root = self.cell(task, condition, seed)
                    yield task, condition, seed, pre, probe, cell
                    if not a.keep_data:
                        shutil.rmtree(root)
