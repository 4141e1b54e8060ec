"""The demo's baseline configs on the tiny test data.

``configs/demo/<method>_digits.py`` (joint, l2sp, lwf, lpft, cotuning)
with exactly the data, batches, schedule, seed and runtime settings that
:func:`conftest.softft_cfg` gives soft fine-tuning, so the tests train every
method as the benchmark does: on the same runner and target batches. Only
what the method config itself sets (model, optimizer, custom hooks) comes
from its file.
"""
import copy

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.utils import get_ori_model

from .conftest import repo_path, softft_cfg

# settings shared by every method, taken from the soft fine-tuning test config
RUN_KEYS = ('work_dir', 'data_preprocessor', 'val_dataloader',
            'test_dataloader', 'train_cfg', 'param_scheduler',
            'default_hooks', 'randomness', 'log_level')


def baseline_cfg(method, tiny_data, pretrained, work_dir, max_epochs=2):
    """``configs/demo/<method>_digits.py`` on the tiny data.

    A method built on plain fine-tuning trains on the target part of the
    soft config's loader (same sampler, batch size and pipeline), without
    the source data and the source batch sampler.
    """
    soft = softft_cfg(tiny_data, pretrained, work_dir, max_epochs)
    cfg = Config.fromfile(repo_path(f'configs/demo/{method}_digits.py'))
    for key in RUN_KEYS:
        cfg[key] = copy.deepcopy(soft[key])
    loader = copy.deepcopy(soft.train_dataloader)
    if cfg.train_dataloader.dataset.type != 'SourceTargetDataset':
        loader.dataset = loader.dataset.target
        loader.pop('batch_sampler')
    cfg.train_dataloader = loader
    cfg.merge_from_dict({
        'model.backbone.init_cfg.checkpoint': pretrained,
        'model.head.num_classes': 3,
    })
    if 'source_head' in cfg.model:
        cfg.model.source_head.num_classes = 3
    return cfg


def train(cfg, *hooks, resume_from=None):
    """Build the Runner of ``cfg``, add ``hooks`` (recorders), train (from
    the checkpoint ``resume_from`` if given) and return the Runner."""
    if resume_from is not None:
        cfg.resume, cfg.load_from = True, resume_from
    runner = Runner.from_cfg(cfg)
    for hook in hooks:
        runner.register_hook(hook)
    runner.train()
    return runner


class StateRecorder(Hook):
    """Records copies of the model's state dict before training and after
    every epoch, and per iteration whether the backbone is in train mode
    and which parameters the step trains (``requires_grad``)."""

    priority = 'LOWEST'  # after the hooks under test

    def __init__(self):
        self.states, self.backbone_training, self.trained = [], {}, {}

    def _snapshot(self, runner):
        state = get_ori_model(runner.model).state_dict()
        self.states.append({k: v.clone() for k, v in state.items()})

    def before_train(self, runner):
        self._snapshot(runner)

    def after_train_epoch(self, runner):
        self._snapshot(runner)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = get_ori_model(runner.model)
        self.backbone_training[runner.iter] = model.backbone.training
        self.trained[runner.iter] = sorted(
            {n.split('.')[0] for n, p in model.named_parameters()
             if p.requires_grad})


class LossRecorder(Hook):
    """The logged losses of every iteration."""

    priority = 'LOWEST'

    def __init__(self):
        self.losses = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses[runner.iter] = {k: float(v) for k, v in outputs.items()}
