"""A derived config that replaces `custom_hooks` (an everyday mmpretrain
habit, e.g. `custom_hooks = [dict(type='EMAHook')]`) drops the hook a
method needs: every such method refuses to train, before its first step,
with an error that names the missing hook and `custom_hooks`."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.runner import Runner

from ..baseline_configs import baseline_cfg
from ..conftest import StepCounter, dump_tool_config, repo_path, softft_cfg

# method -> the hook its model needs
NEEDS = {
    'softft': 'SoftFineTuneHook',
    'joint': 'SoftFineTuneHook',
    'l2sp': 'L2SPHook',
    'lwf': 'LinearProbeHook',
    'lpft': 'LinearProbeHook',
    'cotuning': 'CoTuningHook',
}


def method_cfg(method, tiny_data, ckpt, work_dir):
    if method == 'softft':
        return softft_cfg(tiny_data, ckpt, work_dir, max_epochs=1)
    return baseline_cfg(method, tiny_data, ckpt, work_dir, max_epochs=1)


@pytest.mark.parametrize('method', sorted(NEEDS))
def test_replaced_custom_hooks_stop_before_the_first_step(
        method, tiny_data, pretrained_ckpt, tmp_path):
    cfg = method_cfg(method, tiny_data, pretrained_ckpt, tmp_path)
    assert NEEDS[method] in [h['type'] for h in cfg.custom_hooks]
    cfg.custom_hooks = [dict(type='EMAHook')]
    runner = Runner.from_cfg(cfg)
    counter = StepCounter()
    runner.register_hook(counter)
    with pytest.raises(ValueError) as e:
        runner.train()
    assert f'trains only with {NEEDS[method]} in `custom_hooks`' in str(
        e.value)
    assert 'append to it' in str(e.value)
    assert counter.steps == 0


@pytest.mark.parametrize('method', sorted(NEEDS))
def test_appended_custom_hooks_keep_the_method(method, tiny_data,
                                               pretrained_ckpt, tmp_path):
    cfg = method_cfg(method, tiny_data, pretrained_ckpt, tmp_path)
    cfg.custom_hooks = cfg.custom_hooks + [dict(type='EMAHook')]
    runner = Runner.from_cfg(cfg)
    counter = StepCounter()
    runner.register_hook(counter)
    runner.train()
    assert counter.steps == runner.max_iters


def test_lwf_without_the_warm_up_trains_when_asked(tiny_data,
                                                   pretrained_ckpt, tmp_path):
    cfg = method_cfg('lwf', tiny_data, pretrained_ckpt, tmp_path)
    cfg.custom_hooks = []
    cfg.model.linear_probe = False
    runner = Runner.from_cfg(cfg)
    counter = StepCounter()
    runner.register_hook(counter)
    runner.train()
    assert counter.steps == runner.max_iters


def test_train_tool_refuses_a_derived_demo_config(tiny_data, pretrained_ckpt,
                                                  tmp_path):
    """The shipped demo config, its data made tiny, then a user's config
    that inherits it and sets its own `custom_hooks`, through
    tools/train.py."""
    base = dump_tool_config(
        softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'work'),
        tmp_path / 'softft_digits_tiny.py')
    user = tmp_path / 'user' / 'my_softft.py'
    user.parent.mkdir()
    user.write_text(f"_base_ = ['{osp.relpath(base, user.parent)}']\n"
                    "custom_hooks = [dict(type='EMAHook')]\n")
    proc = subprocess.run(
        [sys.executable, repo_path('tools', 'train.py'), str(user),
         '--work-dir', str(tmp_path / 'work')],
        capture_output=True, text=True, timeout=300, cwd=repo_path())
    assert proc.returncode != 0
    assert ('SoftFineTuneClassifier trains only with SoftFineTuneHook in '
            '`custom_hooks`') in proc.stderr
    assert not list((tmp_path / 'work').glob('*.pth'))
