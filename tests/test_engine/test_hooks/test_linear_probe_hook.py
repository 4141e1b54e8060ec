"""LinearProbeHook (LP-FT) in a real Runner on the demo's lpft config."""
import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.hooks import Hook

from mmsoftft.engine import LinearProbeHook

from ...baseline_configs import StateRecorder, baseline_cfg, train
from ...conftest import dump_tool_config, repo_path

ITERS_PER_EPOCH = 3  # 12 target images, batch 4


def lpft_cfg(tiny_data, ckpt, work_dir, max_epochs=2, **hook_args):
    cfg = baseline_cfg('lpft', tiny_data, ckpt, work_dir, max_epochs)
    cfg.custom_hooks[0].update(hook_args)
    return cfg


def split(state):
    backbone = {k: v for k, v in state.items() if k.startswith('backbone.')}
    head = {k: v for k, v in state.items() if k.startswith('head.')}
    return backbone, head


def same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope='module')
def lpft_run(tiny_data, pretrained_ckpt, tmp_path_factory):
    work = tmp_path_factory.mktemp('lpft')
    cfg = lpft_cfg(tiny_data, pretrained_ckpt, work, max_epochs=3,
                   probe_end=2, unit='epoch')
    recorder = StateRecorder()
    runner = train(cfg, recorder)
    return dict(runner=runner, recorder=recorder, work=work)


def test_probe_changes_no_backbone_weight_or_bn_statistic(lpft_run,
                                                         pretrained_ckpt):
    states = lpft_run['recorder'].states  # before, epoch 1, 2, 3
    pretrained = torch.load(pretrained_ckpt)['state_dict']
    start_backbone, start_head = split(states[0])
    assert same(start_backbone, pretrained)
    for epoch in (1, 2):  # probing
        backbone, head = split(states[epoch])
        assert same(backbone, start_backbone), epoch  # incl. running stats
        assert not same(head, start_head)  # the head trains
    assert any(k.endswith('running_mean') for k in start_backbone)


def test_fine_tuning_phase_changes_weights_and_bn_statistics(lpft_run):
    states = lpft_run['recorder'].states
    probed, _ = split(states[2])
    tuned, _ = split(states[3])
    for suffix in ('conv1.weight', 'bn1.running_mean', 'bn1.running_var',
                   'bn1.num_batches_tracked'):
        key = f'backbone.{suffix}'
        assert not torch.equal(tuned[key], probed[key]), key


def test_frozen_modules_in_eval_mode_only_while_probing(lpft_run):
    recorder = lpft_run['recorder']
    probe = 2 * ITERS_PER_EPOCH
    assert sorted(recorder.backbone_training) == list(range(9))
    for t, training in recorder.backbone_training.items():
        assert training == (t >= probe), t
        assert recorder.trained[t] == (['backbone', 'head'] if t >= probe
                                       else ['head']), t


def test_probe_over_the_whole_training_is_the_linear_probe_alone(
        tiny_data, pretrained_ckpt, tmp_path):
    cfg = lpft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1,
                   probe_end=1.0, unit='fraction')
    cfg.log_level = 'INFO'
    recorder = StateRecorder()
    train(cfg, recorder)
    assert same(split(recorder.states[-1])[0], split(recorder.states[0])[0])
    log = open(glob.glob(str(tmp_path / '*' / '*.log'))[0]).read()
    assert 'for iterations [0, 3) of 3, linear probing only' in log


def test_resume_inside_the_probe_continues_exactly(lpft_run, tiny_data,
                                                  pretrained_ckpt, tmp_path):
    cfg = lpft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=3,
                   probe_end=2, unit='epoch')
    recorder = StateRecorder()
    runner = train(cfg, recorder,
                   resume_from=osp.join(lpft_run['work'], 'epoch_1.pth'))
    full = lpft_run['recorder']
    for t in range(3, 9):
        assert recorder.trained[t] == full.trained[t], t
        assert recorder.backbone_training[t] == full.backbone_training[t]
    final = full.states[-1]
    for key, value in runner.model.state_dict().items():
        assert torch.allclose(value.float(), final[key].float(),
                              atol=1e-5), key


@pytest.mark.parametrize('args, error, match', [
    (dict(probe_end=0), ValueError, '`probe_end` should be > 0'),
    (dict(probe_end=1.5), ValueError, 'probe_end=1.5'),
    (dict(probe_end=1.5, unit='epoch'), ValueError, 'a whole number'),
    (dict(probe_end='2'), TypeError, '`probe_end` should be a finite'),
    (dict(probe_end=float('inf')), TypeError, 'finite number'),
    (dict(unit='step'), ValueError, '`unit` should be one of'),
])
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        LinearProbeHook(**args)


def run_dist(cfg, work, find_unused):
    """tools/dist_train.sh with one process: the model is wrapped in
    MMDistributedDataParallel (gloo), as on a multi-GPU machine. (The CPU
    launch sets `model_wrapper_cfg`, where mmengine reads
    find_unused_parameters instead of the config's top level.)"""
    wrapper = dict(type='MMDistributedDataParallel', broadcast_buffers=False,
                   find_unused_parameters=find_unused)
    config = dump_tool_config(cfg, work / 'lpft.py',
                              model_wrapper_cfg=wrapper)
    env = dict(os.environ, PORT='0', OMP_NUM_THREADS='1',
               PYTHONWARNINGS='ignore', PYTHONPATH=repo_path())
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    return subprocess.run(
        ['bash', repo_path('tools/dist_train.sh'), config, '1',
         '--work-dir', str(work)],
        cwd=repo_path(), env=env, capture_output=True, text=True,
        timeout=600)


def test_ddp_trains_with_find_unused_parameters(tiny_data, pretrained_ckpt,
                                                tmp_path):
    cfg = lpft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=2,
                   probe_end=1, unit='epoch')
    proc = run_dist(cfg, tmp_path, find_unused=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    pretrained = torch.load(pretrained_ckpt)['state_dict']
    probed = torch.load(tmp_path / 'epoch_1.pth')['state_dict']
    tuned = torch.load(tmp_path / 'epoch_2.pth')['state_dict']
    assert same(split(probed)[0], split(pretrained)[0])
    assert not same(split(tuned)[0], split(pretrained)[0])


def test_ddp_without_find_unused_parameters_stops_before_training(
        tiny_data, pretrained_ckpt, tmp_path):
    cfg = lpft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1,
                   probe_end=1, unit='epoch')
    proc = run_dist(cfg, tmp_path, find_unused=False)
    assert proc.returncode != 0
    assert ('which DistributedDataParallel accepts only with '
            '`find_unused_parameters = True`') in proc.stderr
    assert not glob.glob(str(tmp_path / '*.pth'))


class FreezeLayer4(Hook):
    """A user's hook that freezes `backbone.layer4` before training starts,
    run after LinearProbeHook's before_train (lower priority)."""

    priority = 'LOW'

    def before_train(self, runner):
        runner.model.backbone.layer4.requires_grad_(False)


class TrainableRecorder(Hook):
    """Per iteration, the names of the parameters the step trains."""

    priority = 'LOWEST'

    def __init__(self):
        self.trainable = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.trainable[runner.iter] = {
            n for n, p in runner.model.named_parameters() if p.requires_grad}


@pytest.mark.parametrize('how', ['frozen_stages', 'hook'])
def test_weights_frozen_by_the_user_stay_frozen_after_the_probe(
        how, tiny_data, pretrained_ckpt, tmp_path):
    """Unfreezing after the probe gives back only what probing froze: the
    stem and first stage frozen by `frozen_stages=1`, or a stage a user's
    hook froze before training, keep requires_grad=False and their
    pre-trained values; the rest of the backbone trains."""
    cfg = lpft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=2,
                   probe_end=1, unit='epoch')
    hooks = [TrainableRecorder()]
    if how == 'frozen_stages':
        cfg.model.backbone.frozen_stages = 1
        frozen = ('backbone.conv1.', 'backbone.bn1.', 'backbone.layer1.')
    else:
        hooks.append(FreezeLayer4())
        frozen = ('backbone.layer4.', )
    recorder, states = hooks[0], StateRecorder()
    runner = train(cfg, states, *hooks)
    names = {n for n, _ in runner.model.named_parameters()}
    user_frozen = {n for n in names if n.startswith(frozen)}
    assert user_frozen
    for t in range(ITERS_PER_EPOCH):  # probing: the head alone
        assert {n.split('.')[0] for n in recorder.trainable[t]} == {'head'}
    for t in range(ITERS_PER_EPOCH, 2 * ITERS_PER_EPOCH):
        assert recorder.trainable[t] == names - user_frozen, t
    start, end = states.states[0], states.states[-1]
    assert all(torch.equal(end[n], start[n]) for n in user_frozen)
    assert not torch.equal(end['backbone.layer2.0.conv1.weight'],
                           start['backbone.layer2.0.conv1.weight'])
