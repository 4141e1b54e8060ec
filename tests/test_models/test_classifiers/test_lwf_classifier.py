"""LwFClassifier: the distillation term at and away from the pre-trained
network, the hidden frozen teacher, and a Runner training (with the
paper's warm-up) through configs/demo/lwf_digits.py."""
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...baseline_configs import (
    LossRecorder,
    StateRecorder,
    baseline_cfg,
    train,
)
from ...conftest import repo_path


def model_cfg(pretrained):
    model = Config.fromfile(repo_path('configs/demo/lwf_digits.py')).model
    model.backbone.init_cfg.checkpoint = pretrained
    model.head.num_classes = 3
    model.source_head.num_classes = 3
    return model.to_dict()


@pytest.fixture
def model(pretrained_ckpt):
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(pretrained_ckpt))
    model.init_weights()
    model.probe_iters = 0  # as LinearProbeHook sets it before training
    return model


def batch(domain='target'):
    torch.manual_seed(0)
    samples = [DataSample(metainfo=dict(domain=domain)).set_gt_label(i % 3)
               for i in range(4)]
    return torch.rand(4, 3, 32, 32), samples


def test_zero_when_the_student_is_the_pretrained_network(model,
                                                        pretrained_ckpt):
    state = torch.load(pretrained_ckpt)['state_dict']
    assert torch.equal(model.teacher.head.fc.weight, state['head.fc.weight'])
    model.eval()  # BatchNorm as the teacher's
    losses = model.loss(*batch())
    assert set(losses) == {'loss_target', 'loss_lwf'}
    assert losses['loss_lwf'].item() == pytest.approx(0.0, abs=1e-7)
    losses['loss_lwf'].backward()  # its minimum: no pull anywhere
    assert model.source_head.fc.weight.grad.abs().max().item() < 1e-6


def test_positive_and_pulling_back_once_the_source_head_moves(model):
    model.eval()
    with torch.no_grad():
        model.source_head.fc.weight.add_(
            torch.randn_like(model.source_head.fc.weight))
    teacher_weight = model.teacher.head.fc.weight.clone()
    loss = model.loss(*batch())['loss_lwf']
    assert loss.item() > 1e-3
    loss.backward()
    assert model.source_head.fc.weight.grad.abs().max().item() > 0
    assert torch.equal(model.teacher.head.fc.weight, teacher_weight)


def test_teacher_is_frozen_hidden_and_follows_the_model(model):
    teacher = model.teacher
    names = set(model.state_dict())
    assert not any('teacher' in n for n in names)
    assert not any('teacher' in n for n, _ in model.named_modules())
    assert all(not p.requires_grad for p in teacher.parameters())
    param_ids = {id(p) for p in model.parameters()}
    assert not any(id(p) in param_ids for p in teacher.parameters())
    model.train()
    assert not teacher.training
    model.to(torch.float64)
    assert teacher.backbone.conv1.weight.dtype == torch.float64
    # checkpoints hold soft fine-tuning's keys: backbone, head, source_head
    assert {n.split('.')[0] for n in names} == {'backbone', 'head',
                                                 'source_head'}


def test_source_samples_and_missing_teacher_are_refused(model,
                                                        pretrained_ckpt):
    with pytest.raises(ValueError, match='trains on target images only'):
        model.loss(*batch('source'))
    fresh = MODELS.build(model_cfg(pretrained_ckpt))
    fresh.probe_iters = 0
    with pytest.raises(RuntimeError, match='copies the pre-trained network'):
        fresh.loss(*batch())


def test_needs_the_pretrained_source_head(pretrained_ckpt):
    cfg = model_cfg(pretrained_ckpt)
    cfg['backbone']['init_cfg'] = None
    cfg['source_head']['init_cfg'] = None
    with pytest.raises(ValueError, match='distils the pre-trained source'):
        MODELS.build(cfg)


def test_source_pass_key_is_refused(pretrained_ckpt):
    with pytest.raises(ValueError, match="trains on target images only: "
                       "`source_forward`.*but got 'separate'"):
        MODELS.build(dict(model_cfg(pretrained_ckpt),
                          source_forward='separate'))


def test_runner_trains_with_the_warm_up(tiny_data, pretrained_ckpt,
                                        tmp_path):
    cfg = baseline_cfg('lwf', tiny_data, pretrained_ckpt, tmp_path)
    cfg.custom_hooks[0].update(probe_end=1, unit='epoch')  # 3 iterations
    states, losses = StateRecorder(), LossRecorder()
    train(cfg, states, losses)
    assert sorted(losses.losses) == list(range(6))
    for t in range(3):  # warm-up: only the new head trains, student=teacher
        assert states.trained[t] == ['head']
        assert losses.losses[t]['loss_lwf'] == pytest.approx(0, abs=1e-6)
    for t in range(3, 6):
        assert states.trained[t] == ['backbone', 'head', 'source_head']
    assert losses.losses[5]['loss_lwf'] > 0
    assert losses.losses[5]['loss'] == pytest.approx(
        losses.losses[5]['loss_target'] + losses.losses[5]['loss_lwf'])


@pytest.mark.parametrize('key, value', [
    ('loss', dict(type='CrossEntropyLoss', loss_weight=1.0)),
    ('topk', (1, 5)),
])
def test_unused_source_head_keys_are_refused(key, value, pretrained_ckpt):
    """The source head trains by the LwFLoss and is never evaluated: a
    `loss` or `topk` given to it would be silently unused."""
    cfg = model_cfg(pretrained_ckpt)
    cfg['source_head'][key] = value
    with pytest.raises(ValueError, match=f'LwFClassifier does not use '
                       f'`model.source_head.{key}`'):
        MODELS.build(cfg)


def test_channels_last_student_and_teacher(pretrained_ckpt):
    from mmsoftft.models import use_channels_last
    cfg = use_channels_last(model_cfg(pretrained_ckpt))
    assert cfg['type'] == 'LwFClassifier' and cfg['channels_last'] is True
    torch.manual_seed(0)
    fast = MODELS.build(cfg)
    fast.init_weights()
    for net in (fast, fast.teacher):
        convs = [p for p in net.parameters() if p.dim() == 4]
        assert convs and all(
            p.is_contiguous(memory_format=torch.channels_last)
            for p in convs)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(pretrained_ckpt))
    model.init_weights()
    for m in (model, fast):
        m.eval()
        m.probe_iters = 0  # as LinearProbeHook sets it before training
        with torch.no_grad():
            m.source_head.fc.weight.add_(0.1)
    want, got = model.loss(*batch()), fast.loss(*batch())
    for key in want:
        torch.testing.assert_close(got[key], want[key], rtol=1e-4,
                                   atol=1e-5)
