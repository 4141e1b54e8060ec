"""The baselines' configs (joint training, L2-SP, LwF, LP-FT, Co-Tuning),
demo and CUB: each changes only what its method needs from the plain or
soft config it inherits (so it trains on the same runner, batches, schedule
and seed), builds with the Runner, and every method-specific key is used:
changing it changes the loss or the behaviour."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import Runner

from mmsoftft.engine import L2SPHook

from ..conftest import REPO

# method -> (config it inherits, the keys it changes)
METHODS = {
    'joint': ('softft', {'custom_hooks'}),
    'l2sp': ('plain', {'model.type', 'model.loss', 'custom_hooks',
                       'optim_wrapper.optimizer.weight_decay'}),
    'lwf': ('plain', {'model.type', 'model.source_head', 'model.loss',
                      'custom_hooks', 'find_unused_parameters'}),
    'lpft': ('plain', {'model.type', 'custom_hooks',
                       'find_unused_parameters'}),
    'cotuning': ('plain', {'model.type', 'model.source_head', 'model.loss',
                           'custom_hooks'}),
}
DEMO = dict(softft='softft_digits.py', plain='finetune_digits.py')
CONFIGS = [(method, suite) for method in METHODS for suite in ('demo', 'cub')]


def config_path(method, suite):
    if suite == 'demo':
        name = DEMO.get(method, f'{method}_digits.py')
        return osp.join(REPO, 'configs', 'demo', name)
    return osp.join(REPO, 'configs', 'softft',
                    f'{method}_resnet50_8xb8_cub.py')


def flatten(value, prefix=''):
    if isinstance(value, dict) and value:
        out = {}
        for key, item in value.items():
            out.update(flatten(item, f'{prefix}{key}.'))
        return out
    return {prefix[:-1]: value}


def build(method, suite, tmp_path, changes=None):
    cfg = Config.fromfile(config_path(method, suite))
    cfg.work_dir = str(tmp_path)
    cfg.merge_from_dict(changes or {})
    # only the model and hooks are built: no data read, nothing downloaded
    return Runner.from_cfg(cfg)


@pytest.mark.parametrize('method, suite', CONFIGS)
def test_changes_only_what_the_method_needs(method, suite):
    base, expected = METHODS[method]
    cfg = flatten(Config.fromfile(config_path(method, suite)).to_dict())
    parent = flatten(Config.fromfile(config_path(base, suite)).to_dict())
    changed = {k for k in set(cfg) | set(parent)
               if cfg.get(k, 'absent') != parent.get(k, 'absent')}
    for key in changed:
        assert any(key == e or key.startswith(f'{e}.') for e in expected), \
            key
    for key in expected:
        assert any(k == key or k.startswith(f'{key}.') for k in changed), \
            key
    # DDP reads the top-level key only without a model_wrapper_cfg
    assert 'model_wrapper_cfg' not in cfg


def hook(runner, name):
    return next(h for h in runner.hooks if type(h).__name__ == name)


def source_weight(runner):
    schedule = hook(runner, 'SoftFineTuneHook').schedule
    return schedule.weight(10_000, *schedule.span(100_000, 10))


def l2sp_terms(runner):
    model = runner.model
    shared, new = model.split_params()
    moved = [w.detach() + 0.01 for w in shared]
    with torch.no_grad():
        return {k: v.item() for k, v in model.loss_module(
            shared, moved, new).items()}


def weight_decay_check(runner):
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    try:
        L2SPHook().before_train(runner)
    except ValueError as e:
        return str(e)
    return 'ok'


def lwf_term(runner):
    classes = runner.model.source_head.num_classes
    torch.manual_seed(0)
    student, teacher = torch.randn(2, 4, classes).unbind()
    return runner.model.loss_module(student, teacher).item()


def cotuning_term(runner):
    classes = runner.model.source_head.num_classes
    torch.manual_seed(0)
    logits, soft = torch.randn(4, classes), torch.rand(4, classes)
    return runner.model.loss_module(logits, soft.softmax(dim=1)).item()


def probe_iters(runner):
    """Where LinearProbeHook ends the probe in a run of 100 epochs of 10
    iterations (the config's own hook, before_train on a stand-in runner:
    the data sets are not needed)."""
    probe = hook(runner, 'LinearProbeHook')
    stand_in = SimpleNamespace(
        model=runner.model, max_iters=1000, train_dataloader=[None] * 10,
        logger=MMLogger.get_current_instance())
    probe.before_train(stand_in)
    return probe.probe_iters


PROBE = ('custom_hooks.0.probe_end', 0.3, probe_iters)
KEYS = {
    'joint': [('custom_hooks.0.start_weight', 0.25, source_weight)],
    'l2sp': [('model.loss.alpha', 0.3, l2sp_terms),
             ('model.loss.beta', 0.3, l2sp_terms),
             ('optim_wrapper.optimizer.weight_decay', 5e-4,
              weight_decay_check)],
    'lwf': [('model.loss.temperature', 1.0, lwf_term),
            ('model.loss.loss_weight', 3.0, lwf_term), PROBE],
    'lpft': [PROBE],
    'cotuning': [('model.loss.loss_weight', 1.0, cotuning_term)],
}
KEY_CASES = [(method, suite, *case) for method, suite in CONFIGS
             for case in KEYS[method]]


@pytest.fixture(scope='module')
def shipped(tmp_path_factory):
    """The Runner of a shipped config, built once per module."""
    runners = {}

    def get(method, suite):
        if (method, suite) not in runners:
            runners[method, suite] = build(
                method, suite, tmp_path_factory.mktemp(f'{method}_{suite}'))
        return runners[method, suite]

    return get


@pytest.mark.parametrize(
    'method, suite, key, value, measure', KEY_CASES,
    ids=[f'{m}-{s}-{k}' for m, s, k, _, _ in KEY_CASES])
def test_every_method_key_is_used(method, suite, key, value, measure,
                                  shipped, tmp_path):
    runner = shipped(method, suite)
    assert type(runner.model).__name__ == Config.fromfile(
        config_path(method, suite)).model.type
    base = measure(runner)
    changed = measure(build(method, suite, tmp_path / 'changed',
                            {key: value}))
    assert changed != base, key
    if measure is weight_decay_check:
        assert base == 'ok' and 'L2-SP replaces weight decay' in changed


@pytest.mark.parametrize('method, suite', [
    c for c in CONFIGS if c[0] in ('lwf', 'lpft')])
def test_probe_is_a_tenth_of_the_training(method, suite, shipped):
    assert probe_iters(shipped(method, suite)) == 100
