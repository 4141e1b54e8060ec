"""Hooks for the distributed test: each rank writes what it trained on and
how many gradient all-reduces each step made; one rank can be made to stop
drawing source images earlier than the other.

Loaded in the spawned processes through the config's ``custom_imports``
(``tools/dist_train.sh`` puts the repository root on PYTHONPATH).
"""
import json
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import (
    allreduce_hook,
)


@HOOKS.register_module(force=True)
class DistSampleRecorder(Hook):
    """Write ``samples_rank<r>.json``: per iteration the epoch, source weight
    and (domain, image path) of each sample; and the validation metrics."""

    priority = 'LOWEST'

    def __init__(self):
        self.iters, self.metrics = [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = getattr(runner.model, 'module', runner.model)
        inputs = data_batch['inputs']
        self.iters.append(
            dict(
                iter=runner.iter,
                epoch=runner.epoch,
                weight=model.source_weight,
                samples=[(s.domain, s.img_path)
                         for s in data_batch['data_samples']],
                shapes={k: list(v.shape) for k, v in inputs.items()}
                if isinstance(inputs, dict) else list(inputs.shape)))

    def after_val_epoch(self, runner, metrics=None):
        self.metrics.append(dict(metrics or {}))

    def after_run(self, runner):
        path = osp.join(runner.work_dir, f'samples_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(dict(iters=self.iters, metrics=self.metrics), f)


@HOOKS.register_module(force=True)
class DistAllreduceCounter(Hook):
    """Count DDP's gradient all-reduces per iteration (a communication hook
    around DDP's default all-reduce, one call per bucket) and write
    ``allreduce_rank<r>.json`` with the counts and, after training, every
    parameter's sum."""

    priority = 'LOWEST'

    def __init__(self):
        self.counts, self.current = [], 0

    def before_train(self, runner):
        def count(state, bucket):
            self.current += 1
            return allreduce_hook(None, bucket)

        runner.model.register_comm_hook(None, count)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.current = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.counts.append(self.current)

    def after_run(self, runner):
        params = {
            name: float(p.detach().double().sum())
            for name, p in runner.model.module.named_parameters()
        }
        path = osp.join(runner.work_dir, f'allreduce_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(dict(counts=self.counts, params=params), f)


@HOOKS.register_module(force=True)
class UnevenSourceStop(Hook):
    """On rank ``rank``, stop drawing source samples ``earlier`` iterations
    before the other ranks: iterations where one rank's batch holds source
    images and another's does not."""

    priority = 'LOW'  # after SoftFineTuneHook (NORMAL) set the stop

    def __init__(self, rank=1, earlier=1):
        self.rank, self.earlier = rank, earlier

    def before_train(self, runner):
        if get_rank() == self.rank:
            sampler = runner.train_dataloader.batch_sampler
            sampler.set_source_stop_iter(sampler.source_stop_iter -
                                         self.earlier)
