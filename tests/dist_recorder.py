"""A hook for the distributed test: each rank writes what it trained on.

Loaded in the spawned processes through the config's ``custom_imports``
(``tools/dist_train.sh`` puts the repository root on PYTHONPATH).
"""
import json
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module(force=True)
class DistSampleRecorder(Hook):
    """Write ``samples_rank<r>.json``: per iteration the epoch, source weight
    and (domain, image path) of each sample; and the validation metrics."""

    priority = 'LOWEST'

    def __init__(self):
        self.iters, self.metrics = [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = getattr(runner.model, 'module', runner.model)
        self.iters.append(
            dict(
                iter=runner.iter,
                epoch=runner.epoch,
                weight=model.source_weight,
                samples=[(s.domain, s.img_path)
                         for s in data_batch['data_samples']]))

    def after_val_epoch(self, runner, metrics=None):
        self.metrics.append(dict(metrics or {}))

    def after_run(self, runner):
        path = osp.join(runner.work_dir, f'samples_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(dict(iters=self.iters, metrics=self.metrics), f)
