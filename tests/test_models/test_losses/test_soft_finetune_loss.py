import math

import pytest
import torch

from mmsoftft.models import SoftFineTuneLoss, soft_finetune_loss


def test_pure_function():
    out = soft_finetune_loss(torch.tensor(1.5), torch.tensor(2.0), 0.25)
    assert out.item() == pytest.approx(2.0)


def test_module_hand_computed_cross_entropy():
    loss = SoftFineTuneLoss()
    # zero logits over C classes: CE = log(C)
    out = loss(torch.zeros(2, 4), torch.tensor([0, 3]), torch.zeros(3, 10),
               torch.tensor([1, 2, 9]), source_weight=0.5)
    assert out['loss_target'].item() == pytest.approx(math.log(4))
    assert out['loss_source'].item() == pytest.approx(math.log(10))
    assert out['loss'].item() == pytest.approx(
        math.log(4) + 0.5 * math.log(10))


def test_confident_logits():
    loss = SoftFineTuneLoss()
    # logits (ln 3, 0): p(class 0) = 3/4
    score = torch.tensor([[math.log(3.0), 0.0]])
    out = loss(score, torch.tensor([0]), score, torch.tensor([1]), 1.0)
    assert out['loss_target'].item() == pytest.approx(-math.log(0.75))
    assert out['loss_source'].item() == pytest.approx(-math.log(0.25))
    assert out['loss'].item() == pytest.approx(-math.log(0.75 * 0.25))


def test_parts_use_their_own_loss_configs():
    loss = SoftFineTuneLoss(
        target_loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                         mode='original'),
        source_loss=dict(type='CrossEntropyLoss', loss_weight=2.0))
    out = loss(torch.zeros(1, 5), torch.tensor([2]), torch.zeros(1, 5),
               torch.tensor([2]), 1.0)
    # uniform prediction: smoothing does not change CE = log 5
    assert out['loss_target'].item() == pytest.approx(math.log(5), rel=1e-5)
    assert out['loss_source'].item() == pytest.approx(2 * math.log(5))


def test_no_source_samples_gives_zero_source_loss():
    out = SoftFineTuneLoss()(torch.zeros(2, 3), torch.tensor([0, 1]), None,
                             None, 1.0)
    assert out['loss_source'].item() == 0.0
    assert out['loss'].item() == pytest.approx(math.log(3))


def test_bad_config_type():
    with pytest.raises(TypeError, match='`source_loss`'):
        SoftFineTuneLoss(source_loss='CrossEntropyLoss')
