"""CUDA checks, run by tools/gpu_check.sh on a GPU machine (skipped here):
bf16 AMP and channels_last soft fine-tuning steps are finite and behave as
on the CPU."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmsoftft  # noqa: F401
from mmsoftft.datasets import stack_collate

from ..test_models.test_classifiers.test_soft_finetune_classifier import (
    model_cfg,
)

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason='needs a CUDA device')


def data(domains):
    torch.manual_seed(0)
    return dict(
        inputs=[torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8)
                for _ in domains],
        data_samples=[
            DataSample(metainfo=dict(domain=d)).set_gt_label(i % 3)
            for i, d in enumerate(domains)
        ])


def build(device, channels_last=False, **kwargs):
    torch.manual_seed(0)
    cfg = dict(model_cfg(), **kwargs)
    cfg['channels_last'] = channels_last
    return MODELS.build(cfg).to(device)


@pytest.mark.parametrize('channels_last', [False, True])
@pytest.mark.parametrize('domains', [
    ['target', 'source'] * 4,  # interleaved: boolean masks
    ['target'] * 4 + ['source'] * 4,  # the sampler's order: views
])
def test_bf16_amp_steps_are_finite(channels_last, domains):
    model = build('cuda', channels_last)
    if channels_last:
        assert model.backbone.conv1.weight.is_contiguous(
            memory_format=torch.channels_last)
    optim = build_optim_wrapper(model, dict(
        type='AmpOptimWrapper', dtype='bfloat16',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9)))
    model.source_weight = 0.7
    for _ in range(3):
        log = model.train_step(data(domains), optim)
        assert all(torch.isfinite(v) for v in log.values())
        # (loss_source is logged as it enters the total: w * L_source)
        assert log['loss'].item() == pytest.approx(
            log['loss_target'].item() + log['loss_source'].item(),
            rel=1e-3)
    model.source_weight = 0.0
    log = model.train_step(data(['target'] * 4), optim)
    assert 'loss_source' not in log
    assert torch.isfinite(log['loss'])


@pytest.mark.parametrize('channels_last', [False, True])
def test_bf16_amp_separate_pass_steps_are_finite(channels_last):
    """The separate source pass under bf16 autocast: 32 px target and 16 px
    source images, each stacked at its size (stack_collate)."""
    model = build('cuda', channels_last, source_forward='separate')
    optim = build_optim_wrapper(model, dict(
        type='AmpOptimWrapper', dtype='bfloat16',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9)))
    mixed = data(['target'] * 4 + ['source'] * 4)
    for i in range(4, 8):
        mixed['inputs'][i] = mixed['inputs'][i][:, :16, :16].contiguous()
    model.source_weight = 0.7
    for _ in range(3):
        batch = stack_collate([
            dict(inputs=x, data_samples=s)
            for x, s in zip(mixed['inputs'], mixed['data_samples'])
        ])
        assert batch['inputs']['source'].shape == (4, 3, 16, 16)
        log = model.train_step(batch, optim)
        assert all(torch.isfinite(v) for v in log.values())
        assert log['loss'].item() == pytest.approx(
            log['loss_target'].item() + log['loss_source'].item(),
            rel=1e-3)
    model.source_weight = 0.0
    log = model.train_step(data(['target'] * 4), optim)
    assert 'loss_source' not in log
    assert torch.isfinite(log['loss'])


@pytest.fixture
def no_tf32():
    """fp32 matmuls and convolutions in full fp32: with TF32 (cuDNN's
    default for convolutions) CUDA rounds to a 10-bit mantissa and cannot
    match the CPU. The previous flags are restored afterwards."""
    before = (torch.backends.cuda.matmul.allow_tf32,
              torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        (torch.backends.cuda.matmul.allow_tf32,
         torch.backends.cudnn.allow_tf32) = before


def test_fp32_losses_match_cpu(no_tf32):
    assert not torch.backends.cuda.matmul.allow_tf32
    assert not torch.backends.cudnn.allow_tf32
    batch = data(['target', 'source', 'target', 'source'])
    out = {}
    for device in ('cpu', 'cuda'):
        model = build(device)
        model.source_weight = 0.5
        with torch.no_grad():
            prepared = model.data_preprocessor(batch, True)
            out[device] = model(**prepared, mode='loss')
    for key in ('loss', 'loss_target', 'loss_source'):
        assert out['cuda'][key].item() == pytest.approx(
            out['cpu'][key].item(), rel=1e-3, abs=1e-4)
