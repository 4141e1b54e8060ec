"""SourceTop1Hook and source_head_top1: the source head's top-1 on
held-out source images, measured without changing the run."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS

from benchmarks.method_runs import build_classifier
from benchmarks.source_models import width_options
from benchmarks.source_top1_hook import SourceTop1Hook, source_head_top1
from tests.conftest import repo_path


@pytest.fixture
def model():
    """The demo network (width 4) with a 2-class target head that always
    answers class 0 and a 3-class source head that always answers class 1
    (zero weights, a bias on that class)."""
    net = build_classifier(repo_path('configs/demo/digits_pretrain.py'),
                           width_options(4, 2), seed=0)
    net.source_head = MODELS.build(dict(type='LinearClsHead', num_classes=3,
                                        in_channels=32))
    with torch.no_grad():
        net.source_head.fc.weight.zero_()
        net.source_head.fc.bias.copy_(torch.tensor([0.0, 1.0, 0.0]))
        net.head.fc.weight.zero_()
        net.head.fc.bias.copy_(torch.tensor([1.0, 0.0]))
    return net


IMAGES = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3),
                                           dtype=np.uint8)
LABELS = np.array([1, 0, 1, 2, 1])


def test_source_head_top1(model):
    # class 1 always: 3 of the 5 labels (the target head's class 0: 1)
    assert source_head_top1(model, IMAGES, LABELS) == 60.0
    assert source_head_top1(model, IMAGES, LABELS, batch_size=2) == 60.0
    assert source_head_top1(model, IMAGES, np.full(5, 2)) == 0.0


def test_the_hook_measures_without_changing_the_run(model):
    model.train()
    model.backbone.layer1.eval()  # a frozen part stays frozen
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    hook = SourceTop1Hook(IMAGES, LABELS)
    runner = SimpleNamespace(model=model, iter=0)
    rng = torch.get_rng_state()
    hook.before_train(runner)
    runner.iter = 12
    hook.after_val_epoch(runner, {})
    assert hook.curve == [[0, 60.0], [12, 60.0]]
    assert torch.equal(torch.get_rng_state(), rng)
    assert model.training and model.backbone.training
    assert not model.backbone.layer1.training
    assert all(torch.equal(v, weights[k])
               for k, v in model.state_dict().items())
    # a new run starts a new curve
    hook.before_train(runner)
    assert hook.curve == [[12, 60.0]]


def test_the_hook_refuses_bad_images():
    with pytest.raises(ValueError, match=r'uint8 \(N, H, W, 3\).*float64'):
        SourceTop1Hook(IMAGES.astype(float), LABELS)
    with pytest.raises(ValueError, match=r'\(4,\) labels'):
        SourceTop1Hook(IMAGES, LABELS[:4])


def test_source_bn_re_estimates_the_statistics_on_the_images(model):
    """With source_bn the running statistics fine-tuning left (here:
    wrecked) do not matter: the top-1 is that of the network with the
    images' own BatchNorm statistics; the model keeps its buffers."""
    import copy
    torch.manual_seed(0)
    model.source_head = MODELS.build(dict(type='LinearClsHead', num_classes=3,
                                          in_channels=32))
    reference = copy.deepcopy(model)
    for m in reference.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    reference.eval()
    for m in reference.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.train()
    x = torch.from_numpy(IMAGES).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        data = reference.data_preprocessor(dict(inputs=x), False)
        reference.extract_feat(data['inputs'])  # the statistics
        reference.eval()
        labels = reference.source_head(reference.extract_feat(
            data['inputs'])).argmax(1).numpy()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.add_(3.0)
                m.running_var.mul_(20.0)
    buffers = {k: v.clone() for k, v in model.named_buffers()}
    assert source_head_top1(model, IMAGES, labels, batch_size=5) < 100.0
    assert source_head_top1(model, IMAGES, labels, batch_size=5,
                            source_bn=True) == 100.0
    assert all(torch.equal(v, buffers[k]) for k, v in model.named_buffers())


def test_the_hook_records_both_curves(model):
    hook = SourceTop1Hook(IMAGES, LABELS)
    hook.before_train(SimpleNamespace(model=model, iter=0))
    # the constant source head answers class 1 whatever the statistics
    assert hook.curve == hook.source_bn_curve == [[0, 60.0]]
