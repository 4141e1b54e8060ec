"""CoTuningClassifier: the source head is trained toward R[y_t], R lives in
the checkpoints, ignored keys and training without the hook are refused,
and a Runner trains through configs/demo/cotuning_digits.py."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.hooks import Hook
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...baseline_configs import (
    LossRecorder,
    StateRecorder,
    baseline_cfg,
    train,
)
from ...conftest import repo_path

# R = p(y_s | y_t) for 2 target x 3 source classes
RELATIONSHIP = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])


def model_cfg(pretrained, target_classes=2):
    model = Config.fromfile(repo_path('configs/demo/cotuning_digits.py')).model
    model.backbone.init_cfg.checkpoint = pretrained
    model.head.num_classes = target_classes
    model.source_head.num_classes = 3
    return model.to_dict()


@pytest.fixture
def model(confident_ckpt):
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(confident_ckpt))
    model.init_weights()
    return model


def batch(domain='target', labels=(0, 1, 1, 0)):
    torch.manual_seed(0)
    samples = [DataSample(metainfo=dict(domain=domain)).set_gt_label(y)
               for y in labels]
    return torch.rand(len(labels), 3, 32, 32), samples


def ready(model):
    """The model as CoTuningHook leaves it, with RELATIONSHIP as R."""
    model.set_relationship(RELATIONSHIP)
    model.relationship_checked = True
    return model


def soft_ce(model, inputs, labels):
    """CE(R[y_t], source_head(f(x))), computed here from its definition."""
    logits = model.source_head(model.extract_feat(inputs))
    return -(RELATIONSHIP[labels] * logits.log_softmax(dim=1)).sum(1).mean()


def test_gradient_on_the_source_head_is_the_soft_cross_entropys(model):
    ready(model).eval()  # fixed BatchNorm statistics: one function of x
    inputs, samples = batch()
    labels = torch.tensor([0, 1, 1, 0])
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_target', 'loss_cotuning'}
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        pooled = model.source_head.pre_logits(feats)
        probs = model.source_head(feats).softmax(dim=1)
        target_ce = F.cross_entropy(model.head(feats), labels)
    assert losses['loss_target'].item() == pytest.approx(target_ce.item())
    assert losses['loss_cotuning'].item() == pytest.approx(
        2.3 * soft_ce(model, inputs, labels).item())
    losses['loss_cotuning'].backward()
    # d/dW of lambda * mean_i CE(r_i, W p_i + b): lambda (q - r)^T p / N
    pull = 2.3 * (probs - RELATIONSHIP[labels]) / len(labels)
    torch.testing.assert_close(model.source_head.fc.weight.grad,
                               pull.t() @ pooled, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(model.source_head.fc.bias.grad, pull.sum(0),
                               rtol=1e-4, atol=1e-6)
    assert model.head.fc.weight.grad is None  # the target head: L_t only


def test_a_step_moves_the_source_head_toward_the_relationship(model):
    ready(model).eval()
    inputs, samples = batch()
    labels = torch.tensor([0, 1, 1, 0])
    optimizer = torch.optim.SGD(model.source_head.parameters(), lr=0.1)
    before = soft_ce(model, inputs, labels).item()
    model.loss(inputs, samples)['loss_cotuning'].backward()
    assert model.backbone.conv1.weight.grad.abs().max() > 0  # f(x) too
    optimizer.step()
    with torch.no_grad():
        after = soft_ce(model, inputs, labels).item()
    assert after < before - 0.01


def test_relationship_is_a_checkpointed_buffer(model, confident_ckpt):
    assert model.relationship.shape == (2, 3)  # (target, source) classes
    assert not model.relationship_computed
    state = ready(model).state_dict()
    assert {n.split('.')[0] for n in state} == {
        'backbone', 'head', 'source_head', 'relationship'}
    torch.testing.assert_close(state['relationship'], RELATIONSHIP)
    fresh = MODELS.build(model_cfg(confident_ckpt))
    fresh.load_state_dict(state)  # as a resumed run does
    assert fresh.relationship_computed
    torch.testing.assert_close(fresh.relationship, RELATIONSHIP)
    model.to(torch.float64)
    assert model.relationship.dtype == torch.float64


@pytest.mark.parametrize('relationship, match', [
    (torch.full((3, 3), 1 / 3), r'shape .* = \(2, 3\), but got \(3, 3\)'),
    (torch.tensor([[0.5, 0.5, 0.5], [0.1, 0.1, 0.8]]), 'a distribution'),
    (torch.tensor([[1.2, -0.1, -0.1], [0.1, 0.1, 0.8]]), 'a distribution'),
])
def test_set_relationship_refuses_what_is_no_relationship(
        model, relationship, match):
    with pytest.raises(ValueError, match=match):
        model.set_relationship(relationship)
    assert not model.relationship_computed


def test_refuses_to_train_before_the_hook_ran(model):
    model.set_relationship(RELATIONSHIP)  # even with R: the hook is the key
    with pytest.raises(ValueError, match='trains only with CoTuningHook in '
                       '`custom_hooks`'):
        model.loss(*batch())


def test_source_samples_are_refused(model):
    ready(model)
    with pytest.raises(ValueError, match='trains on target images only'):
        model.loss(*batch('source'))


@pytest.mark.parametrize('key, value', [
    ('loss', dict(type='CrossEntropyLoss', loss_weight=3.0)),
    ('topk', (1, 5)),
    ('cal_acc', True),
])
def test_source_head_keys_that_would_be_ignored_are_refused(
        confident_ckpt, key, value):
    cfg = model_cfg(confident_ckpt)
    cfg['source_head'][key] = value
    with pytest.raises(ValueError,
                       match=f'`model.source_head.{key}` would be ignored'):
        MODELS.build(cfg)


def test_needs_the_pretrained_source_head(confident_ckpt):
    cfg = model_cfg(confident_ckpt)
    cfg['backbone']['init_cfg'] = None
    cfg['source_head']['init_cfg'] = None
    with pytest.raises(ValueError, match='relates the target classes to '
                       'the pre-trained source classes'):
        MODELS.build(cfg)


def test_runner_trains_through_the_demo_config(tiny_data, confident_ckpt,
                                               tmp_path):
    cfg = baseline_cfg('cotuning', tiny_data, confident_ckpt, tmp_path)
    states, losses = StateRecorder(), LossRecorder()
    runner = train(cfg, states, losses)
    assert sorted(losses.losses) == list(range(6))  # 2 epochs of 3
    for logged in losses.losses.values():
        assert logged['loss'] == pytest.approx(
            logged['loss_target'] + logged['loss_cotuning'], rel=1e-5)
        assert logged['loss_cotuning'] > 0
    for t in range(6):
        assert states.trained[t] == ['backbone', 'head', 'source_head']
    first, last = states.states[0], states.states[-1]
    for name in ('backbone.conv1.weight', 'head.fc.weight',
                 'source_head.fc.weight'):
        assert not torch.equal(first[name], last[name]), name
    # R: computed before the first step, then fixed
    assert runner.model.relationship_computed
    for state in states.states:
        assert torch.equal(state['relationship'], last['relationship'])
    torch.testing.assert_close(last['relationship'].sum(1).cpu(),
                               torch.ones(3))


class InputRecorder(Hook):
    """The images (after augmentation) and labels of every iteration."""

    priority = 'LOWEST'

    def __init__(self):
        self.batches = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append((data_batch['inputs'].clone(), [
            int(s.gt_label) for s in data_batch['data_samples']]))


def test_sees_what_plain_fine_tuning_sees(tiny_data, confident_ckpt,
                                          tmp_path):
    """Same seed: the same new head, target batches and random crops as
    plain fine-tuning (computing R draws nothing from the global
    streams)."""
    runs = {}
    for method in ('finetune', 'cotuning'):
        cfg = baseline_cfg(method, tiny_data, confident_ckpt,
                           tmp_path / method, max_epochs=1)
        cfg.train_dataloader.dataset.pipeline = [
            dict(type='LoadImageFromFile'),
            dict(type='RandomCrop', crop_size=32, padding=4),
            dict(type='PackInputs')]
        states, inputs = StateRecorder(), InputRecorder()
        train(cfg, states, inputs)
        runs[method] = states.states[0]['head.fc.weight'].cpu(), [
            (x.cpu(), y) for x, y in inputs.batches]
    (plain_head, plain), (head, batches) = runs['finetune'], runs['cotuning']
    assert torch.equal(head, plain_head)
    assert len(batches) == len(plain) == 3
    for (x, y), (plain_x, plain_y) in zip(batches, plain):
        assert y == plain_y and torch.equal(x, plain_x)


def test_source_pass_key_is_refused(pretrained_ckpt):
    with pytest.raises(ValueError, match="uses no source images: "
                       "`source_forward`.*but got 'separate'"):
        MODELS.build(dict(model_cfg(pretrained_ckpt),
                          source_forward='separate'))
