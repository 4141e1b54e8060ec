"""SoftFineTuneHook's constant shape (joint training) in a real Runner on
the demo's joint config."""
import glob

import pytest
from mmengine.runner import Runner

from mmsoftft.engine import SoftFineTuneHook

from ...baseline_configs import baseline_cfg, train
from ...conftest import BatchRecorder

ITERS = 6  # 2 epochs of 3 batches (12 target images, batch 4)


@pytest.fixture(scope='module')
def joint_run(tiny_data, pretrained_ckpt, tmp_path_factory):
    work = tmp_path_factory.mktemp('joint')
    cfg = baseline_cfg('joint', tiny_data, pretrained_ckpt, work)
    cfg.custom_hooks[0].start_weight = 0.5
    cfg.log_level = 'INFO'
    recorder = BatchRecorder()
    runner = train(cfg, recorder)
    return dict(runner=runner, recorder=recorder, work=work)


def test_weight_stays_constant(joint_run):
    weights = joint_run['recorder'].weights
    assert weights == {t: 0.5 for t in range(ITERS)}
    hub = joint_run['runner'].message_hub
    assert hub.get_scalar('train/source_weight').current() == 0.5


def test_source_images_are_drawn_to_the_last_iteration(joint_run):
    domains = joint_run['recorder'].domains
    for t in range(ITERS):
        assert domains[t] == ['target'] * 4 + ['source'] * 4, t
    # and their loss enters the total to the end
    hub = joint_run['runner'].message_hub
    assert hub.get_scalar('train/loss_source').current() > 0
    log = open(glob.glob(str(joint_run['work'] / '*' / '*.log'))[0]).read()
    assert 'SoftFineTuneHook: constant source weight 0.5 for all 6' in log


def test_same_target_batches_as_soft_fine_tuning(joint_run, tiny_data,
                                                 pretrained_ckpt, tmp_path):
    cfg = baseline_cfg('joint', tiny_data, pretrained_ckpt, tmp_path)
    cfg.custom_hooks = [dict(type='SoftFineTuneHook', decay_end=0.5)]
    soft = BatchRecorder()
    train(cfg, soft)
    joint = joint_run['recorder'].batches
    for t in range(ITERS):
        assert [b for b in soft.batches[t] if b[0] == 'target'] == [
            b for b in joint[t] if b[0] == 'target'], t
    # soft fine-tuning stops drawing source images where w reaches 0
    assert soft.domains[ITERS - 1] == ['target'] * 4


def test_needs_the_source_branch(tiny_data, pretrained_ckpt, tmp_path):
    cfg = baseline_cfg('lpft', tiny_data, pretrained_ckpt, tmp_path)
    cfg.custom_hooks = [dict(type='SoftFineTuneHook', shape='constant')]
    with pytest.raises(TypeError, match='SoftFineTuneHook needs a model '
                       'with a source branch'):
        Runner.from_cfg(cfg).train()


@pytest.mark.parametrize('weight, error, words', [
    (0, ValueError, 'needs `start_weight` > 0'),
    (-1.0, ValueError, '`start_weight` should be >= 0'),
    (float('nan'), TypeError, '`start_weight` should be a finite'),
    ('1', TypeError, '`start_weight` should be a finite'),
    (True, TypeError, '`start_weight` should be a finite')])
def test_bad_source_weight(weight, error, words):
    with pytest.raises(error, match=words):
        SoftFineTuneHook(start_weight=weight, shape='constant')
