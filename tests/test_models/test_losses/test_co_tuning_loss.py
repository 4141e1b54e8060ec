import math

import pytest
import torch
import torch.nn.functional as F

from mmsoftft.models import CoTuningLoss, co_tuning_loss


def test_by_hand_two_classes():
    # logits (0, ln 3): q = (1/4, 3/4); soft labels (1/2, 1/2)
    logits = torch.tensor([[0.0, math.log(3)]])
    soft = torch.tensor([[0.5, 0.5]])
    want = -(0.5 * math.log(0.25) + 0.5 * math.log(0.75))
    assert co_tuning_loss(logits, soft).item() == pytest.approx(want)


def test_one_hot_rows_give_the_ordinary_cross_entropy():
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]])
    labels = torch.tensor([2, 0])
    one_hot = F.one_hot(labels, 3).float()
    assert co_tuning_loss(logits, one_hot).item() == pytest.approx(
        F.cross_entropy(logits, labels).item())


def test_gradient_pulls_the_logits_toward_the_soft_labels():
    logits = torch.tensor([[0.0, math.log(3)], [1.0, 1.0]],
                          requires_grad=True)
    soft = torch.tensor([[0.5, 0.5], [0.9, 0.1]], requires_grad=True)
    co_tuning_loss(logits, soft).backward()
    # (softmax(z) - r) / N: ((1/4 - 1/2, 3/4 - 1/2), (1/2 - 0.9, 1/2 - 0.1))
    want = torch.tensor([[-0.25, 0.25], [-0.4, 0.4]]) / 2
    torch.testing.assert_close(logits.grad, want)
    assert soft.grad is None  # the labels are targets, not trained


def test_minimum_where_the_softmax_is_the_soft_label():
    soft = torch.tensor([[0.2, 0.3, 0.5]])
    at_soft = co_tuning_loss(soft.log(), soft)
    entropy = -(soft * soft.log()).sum()
    assert at_soft.item() == pytest.approx(entropy.item())
    for shift in (torch.tensor([[0.3, 0.0, -0.3]]),
                  torch.tensor([[-0.2, 0.4, 0.0]])):
        assert co_tuning_loss(soft.log() + shift, soft).item() > \
            at_soft.item()


def test_mean_over_samples():
    torch.manual_seed(0)
    logits = torch.randn(4, 5)
    soft = torch.rand(4, 5).softmax(dim=1)
    per_sample = [co_tuning_loss(logits[i:i + 1], soft[i:i + 1]).item()
                  for i in range(4)]
    assert co_tuning_loss(logits, soft).item() == pytest.approx(
        sum(per_sample) / 4)


def test_module_weight_defaults_to_the_papers():
    logits, soft = torch.tensor([[0.0, 2.0]]), torch.tensor([[0.5, 0.5]])
    plain = co_tuning_loss(logits, soft).item()
    assert CoTuningLoss()(logits, soft).item() == pytest.approx(2.3 * plain)
    assert CoTuningLoss(loss_weight=1.0)(logits, soft).item() == \
        pytest.approx(plain)
    assert CoTuningLoss(loss_weight=0)(logits, soft).item() == 0


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match=r'one shape \(N, C\), but got '
                       r'\(2, 3\) and \(3,\)'):
        co_tuning_loss(torch.zeros(2, 3), torch.zeros(3))


@pytest.mark.parametrize('args, error, match', [
    (dict(loss_weight=-1), ValueError, '`loss_weight` should be >= 0'),
    (dict(loss_weight=None), TypeError, '`loss_weight` should be a finite'),
    (dict(loss_weight=float('inf')), TypeError, 'should be a finite'),
])
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        CoTuningLoss(**args)
