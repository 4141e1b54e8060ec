"""SoftFineTuneClassifier's source_forward: the joint pass and the separate
source pass (target images alone, then source images at their own size)."""
import copy
import shutil

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from mmengine.runner.amp import autocast
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch.nn.modules.batchnorm import _BatchNorm

from ...conftest import BatchRecorder, softft_cfg
from .test_soft_finetune_classifier import model_cfg

DOMAINS = ['target'] * 4 + ['source'] * 4


def build(source_forward='joint', seed=0, **kwargs):
    torch.manual_seed(seed)
    model = MODELS.build(
        dict(model_cfg(), source_forward=source_forward, **kwargs))
    model.source_weight = 0.5
    return model


def samples(domains=DOMAINS):
    return [
        DataSample(metainfo=dict(domain=d)).set_gt_label(i % 3)
        for i, d in enumerate(domains)
    ]


def images(n, size=32, seed=0):
    torch.manual_seed(seed)
    return torch.randn(n, 3, size, size)


def two_sizes(source_size=16):
    """Preprocessed inputs as SourceTargetDataPreprocessor gives them for
    stack_collate's two stacks."""
    return dict(target=images(4), source=images(4, source_size, seed=1))


def norms(model):
    return {n: m for n, m in model.named_modules()
            if isinstance(m, _BatchNorm)}


def running_stats(model):
    return {
        n: (m.running_mean.clone(), m.running_var.clone(),
            int(m.num_batches_tracked))
        for n, m in norms(model).items()
    }


def assert_same_stats(a, b):
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name][0], b[name][0])
        torch.testing.assert_close(a[name][1], b[name][1])
        assert a[name][2] == b[name][2], name


def loss_and_grads(model, inputs, data_samples):
    model.zero_grad()
    losses = model.loss(inputs, data_samples)
    total = model.parse_losses(losses)[0]
    total.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()}
    return {k: v.item() for k, v in losses.items()}, total.item(), grads


def test_keys_are_checked():
    with pytest.raises(ValueError, match="`source_forward` should be "
                       "'joint' or 'separate', but got 'twice'"):
        build('twice')
    with pytest.raises(ValueError, match="`source_bn_stats` should be "
                       "'update', 'frozen' or None, but got 'eval'"):
        build('separate', source_bn_stats='eval')
    with pytest.raises(ValueError, match="source_bn_stats='frozen' needs "
                       "source_forward='separate'"):
        build('joint', source_bn_stats='frozen')
    with pytest.raises(ValueError, match="source_forward='separate' needs "
                       'the data preprocessor SourceTargetDataPreprocessor'
                       '.*but got ClsDataPreprocessor'):
        build('separate', data_preprocessor=dict(type='ClsDataPreprocessor'))
    # the defaults: today's joint pass; the separate pass freezes the
    # running statistics; mmpretrain's keys build the preprocessor
    joint, separate = build(), build('separate', data_preprocessor=dict(
        mean=[1.0] * 3, std=[2.0] * 3, num_classes=4))
    assert (joint.source_forward, joint.source_bn_stats) == ('joint',
                                                             'update')
    assert separate.source_bn_stats == 'frozen'
    pre = separate.data_preprocessor
    assert type(pre).__name__ == 'SourceTargetDataPreprocessor'
    assert pre.num_classes == 4 and pre.std.flatten().tolist() == [2.0] * 3


@pytest.mark.parametrize('order', ['sampler', 'interleaved'])
def test_same_losses_and_gradients_with_batchnorm_in_eval_mode(order):
    """With one image size and BatchNorm normalising with its running
    statistics, the two passes compute the same function."""
    domains = DOMAINS if order == 'sampler' else ['target', 'source'] * 4
    out = []
    for source_forward in ('joint', 'separate'):
        model = build(source_forward).eval()
        out.append(loss_and_grads(model, images(8), samples(domains)))
    (joint_losses, joint_total, joint_grads), (sep_losses, sep_total,
                                               sep_grads) = out
    assert set(joint_losses) == set(sep_losses) == {'loss_target',
                                                    'loss_source'}
    for key in joint_losses:
        assert sep_losses[key] == pytest.approx(joint_losses[key], rel=1e-5)
    assert sep_total == pytest.approx(joint_total, rel=1e-5)
    for name, grad in joint_grads.items():
        assert grad.abs().sum() > 0 or 'fc' not in name, name
        torch.testing.assert_close(sep_grads[name], grad, rtol=1e-4,
                                   atol=1e-6)


class Recorder:
    """The target head's logits and what the first BatchNorm layer saw
    (per-channel batch mean and variance of each call)."""

    def __init__(self, model):
        self.logits, self.stats = [], []
        model.head.register_forward_hook(
            lambda m, args, out: self.logits.append(out.detach().clone()))
        model.backbone.norm1.register_forward_hook(self.record_stats)

    def record_stats(self, module, args, out):
        x = args[0].detach()
        self.stats.append((x.mean((0, 2, 3)), x.var((0, 2, 3))))


@pytest.mark.parametrize('source_forward', ['joint', 'separate'])
def test_extreme_source_images_reach_target_only_in_the_joint_pass(
        source_forward):
    """In train mode, source images of extreme pixel values change the
    target logits and the batch statistics BatchNorm normalises the target
    images with in the joint pass, and neither in the separate pass."""
    inputs = images(8)
    extreme = inputs.clone()
    extreme[4:] = 1e3
    runs = []
    for batch in (inputs, extreme):
        model = build(source_forward).train()
        recorder = Recorder(model)
        model.loss(batch, samples())
        runs.append(recorder)
    normal, shifted = runs
    # the target head runs once, on the target images
    assert [x.shape for x in normal.logits] == [(4, 4)]
    # the first call of the BatchNorm layer normalises the target images:
    # the joint batch (8 images) or the target batch (4) alone
    target_mean, target_var = normal.stats[0]
    shifted_mean, shifted_var = shifted.stats[0]
    if source_forward == 'separate':
        assert len(normal.stats) == 2  # target pass, then source pass
        torch.testing.assert_close(shifted.logits[0], normal.logits[0],
                                   rtol=0, atol=0)
        torch.testing.assert_close(shifted_mean, target_mean, rtol=0, atol=0)
        torch.testing.assert_close(shifted_var, target_var, rtol=0, atol=0)
        # and the source pass did see the extreme images
        assert shifted.stats[1][0].abs().max() > 10 * normal.stats[1][0].abs(
        ).max()
    else:
        assert len(normal.stats) == 1
        assert not torch.allclose(shifted.logits[0], normal.logits[0],
                                  atol=1e-3)
        assert (shifted_mean - target_mean).abs().max() > 1
        assert (shifted_var - target_var).abs().max() > 1


@pytest.mark.parametrize('policy', ['frozen', 'update'])
def test_running_statistics_policy(policy):
    """'frozen': after a step the running statistics (and batch counts) are
    those of the target pass alone; 'update': those of the target pass then
    the source pass."""
    model = build('separate', source_bn_stats=policy).train()
    reference = copy.deepcopy(model)
    before = running_stats(model)
    inputs = two_sizes()
    model.loss(inputs, samples())
    with torch.no_grad():
        reference.extract_feat(inputs['target'])
        if policy == 'update':
            reference.extract_feat(inputs['source'])
    after = running_stats(model)
    assert_same_stats(after, running_stats(reference))
    for name, (mean, _, count) in after.items():
        assert count == before[name][2] + (1 if policy == 'frozen' else 2)
        assert not torch.equal(mean, before[name][0])  # the target pass
    assert all(m.track_running_stats for m in norms(model).values())


def test_frozen_statistics_restored_after_a_failed_source_pass():
    model = build('separate').train()
    before = running_stats(model)
    inputs = dict(target=images(4), source=torch.randn(4, 5, 16, 16))
    with pytest.raises(RuntimeError):  # 5 channels: conv1 refuses them
        model.loss(inputs, samples())
    assert all(m.track_running_stats for m in norms(model).values())
    after = running_stats(model)
    assert all(after[n][2] == before[n][2] + 1 for n in after)


def test_separate_pass_takes_two_sizes_the_joint_pass_refuses_them():
    inputs = two_sizes(source_size=16)
    model = build('separate').train()
    seen = []
    model.backbone.register_forward_hook(
        lambda m, args, out: seen.append(tuple(args[0].shape)))
    losses = model.loss(inputs, samples())
    assert seen == [(4, 3, 32, 32), (4, 3, 16, 16)]
    assert losses['loss_source'] > 0
    with pytest.raises(ValueError, match=r'target images \(3, 32, 32\) and '
                       r"source images \(3, 16, 16\).*source_forward="
                       r"'separate'"):
        build('joint').loss(inputs, samples())
    # one size in the dict form: the joint pass concatenates
    same = dict(target=images(4), source=images(4, seed=1))
    joint = build('joint').eval().loss(same, samples())
    stacked = build('joint').eval().loss(
        torch.cat([same['target'], same['source']]), samples())
    assert joint['loss_source'].item() == pytest.approx(
        stacked['loss_source'].item(), rel=1e-6)
    with pytest.raises(ValueError, match='target samples followed by'):
        model.loss(inputs, samples()[::-1])


@pytest.mark.parametrize('domains', [DOMAINS, ['target'] * 4])
def test_every_parameter_gets_a_gradient(domains):
    """DDP without find_unused_parameters: in a mixed batch and after the
    source stopped (w = 0), every parameter is in the graph."""
    model = build('separate').train()
    inputs = two_sizes() if len(domains) == 8 else images(4)
    if len(domains) == 4:
        model.source_weight = 0.0
    model.parse_losses(model.loss(inputs, samples(domains)))[0].backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert missing == []
    source_grad = model.source_head.fc.weight.grad.abs().sum().item()
    assert (source_grad > 0) == (len(domains) == 8)


def test_bf16_autocast_covers_both_passes():
    """AmpOptimWrapper runs the step under mmengine's autocast; on the CPU
    here with bf16: both backbone passes compute in bf16."""
    model = build('separate').train()
    dtypes = []
    model.backbone.register_forward_hook(
        lambda m, args, out: dtypes.append(out[-1].dtype))
    with autocast(device_type='cpu', dtype=torch.bfloat16):
        losses = model.loss(two_sizes(), samples())
    assert dtypes == [torch.bfloat16, torch.bfloat16]
    total = model.parse_losses(losses)[0]
    total.backward()
    assert torch.isfinite(total)
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())


def test_channels_last_gives_the_same_losses():
    inputs = two_sizes()
    out = []
    for channels_last in (False, True):
        model = build('separate', channels_last=channels_last).train()
        out.append(loss_and_grads(model, inputs, samples()))
    (plain, _, plain_grads), (fast, _, fast_grads) = out
    for key in plain:
        assert fast[key] == pytest.approx(plain[key], rel=1e-4)
    torch.testing.assert_close(fast_grads['backbone.conv1.weight'],
                               plain_grads['backbone.conv1.weight'],
                               rtol=1e-3, atol=1e-5)


def test_train_step_with_accumulated_gradients():
    """optim_wrapper.accumulative_counts=2: the separate pass's two
    forwards are one step's; parameters change every second step, by the
    mean of the two steps' gradients."""
    model = build('separate').train()
    optim = build_optim_wrapper(model, dict(
        type='OptimWrapper', accumulative_counts=2,
        optimizer=dict(type='SGD', lr=0.1)))
    optim.initialize_count_status(model, 0, 2)
    reference = copy.deepcopy(model)
    batches = [
        dict(inputs=dict(target=images(4, seed=s),
                         source=images(4, 16, seed=s + 10)),
             data_samples=samples()) for s in (0, 1)
    ]
    start = model.source_head.fc.weight.detach().clone()
    grads = []
    for batch in batches:
        reference.zero_grad()
        reference.parse_losses(reference.loss(**batch))[0].backward()
        grads.append(reference.source_head.fc.weight.grad.clone())
        model.train_step(dict(batch, inputs=dict(batch['inputs'])), optim)
        if len(grads) == 1:
            assert torch.equal(model.source_head.fc.weight, start)
    torch.testing.assert_close(model.source_head.fc.weight,
                               start - 0.1 * (grads[0] + grads[1]) / 2,
                               rtol=1e-4, atol=1e-6)


def separate_cfg(tiny_data, pretrained_ckpt, work_dir):
    """The demo's soft config on the tiny data with the separate pass, 16 px
    source images beside the 32 px target images and gradients accumulated
    over 2 iterations; 4 epochs of 3 iterations, w = 0 from iteration 9."""
    cfg = softft_cfg(tiny_data, pretrained_ckpt, work_dir, max_epochs=4,
                     decay_end=0.75)
    cfg.model.source_forward = 'separate'
    cfg.train_dataloader.dataset.source.pipeline = [
        dict(type='LoadImageFromFile'), dict(type='Resize', scale=16),
        dict(type='PackInputs')]
    cfg.optim_wrapper.accumulative_counts = 2
    return cfg


class InputRecorder(Hook):
    priority = 'LOWEST'

    def __init__(self):
        self.shapes = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        inputs = data_batch['inputs']
        self.shapes[runner.iter] = ({k: tuple(v.shape) for k, v in
                                     inputs.items()}
                                    if isinstance(inputs, dict) else
                                    tuple(inputs.shape))


def train(cfg, resume_from=None):
    if resume_from is not None:
        cfg.resume, cfg.load_from = True, resume_from
    runner = Runner.from_cfg(cfg)
    batches, shapes = BatchRecorder(), InputRecorder()
    runner.register_hook(batches)
    runner.register_hook(shapes)
    runner.train()
    return runner, batches, shapes.shapes


def test_runner_trains_and_resumes_exactly(tiny_data, pretrained_ckpt,
                                           tmp_path):
    """Through the Runner (stack_collate, the preprocessor, accumulated
    gradients): the source images stay 16 px while w > 0; a run resumed
    mid-decay draws the same batches and ends with the same weights and
    BatchNorm statistics as the uninterrupted one."""
    full, batches, shapes = train(
        separate_cfg(tiny_data, pretrained_ckpt, tmp_path / 'full'))
    assert shapes[0] == dict(target=(4, 3, 32, 32), source=(4, 3, 16, 16))
    stop = min(t for t, w in batches.weights.items() if w == 0)
    assert stop == 9
    assert all(shapes[t] == (4, 3, 32, 32) for t in range(stop, 12))
    # iteration 6: in the decay, at the end of an accumulation window
    ckpt = tmp_path / 'epoch_2.pth'
    shutil.copy(tmp_path / 'full' / 'epoch_2.pth', ckpt)
    resumed, resumed_batches, _ = train(
        separate_cfg(tiny_data, pretrained_ckpt, tmp_path / 'resumed'),
        resume_from=str(ckpt))
    assert sorted(resumed_batches.weights) == list(range(6, 12))
    assert resumed_batches.weights[6] > 0
    for t in range(6, 12):
        assert resumed_batches.weights[t] == batches.weights[t]
        assert resumed_batches.batches[t] == batches.batches[t]
    a, b = full.model.state_dict(), resumed.model.state_dict()
    for key in a:
        torch.testing.assert_close(a[key].float(), b[key].float(),
                                   atol=1e-5, rtol=1e-5, msg=key)
