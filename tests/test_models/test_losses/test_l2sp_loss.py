import pytest
import torch

from mmsoftft.models import L2SPLoss, l2sp_loss


def test_pure_function_by_hand():
    shared = [torch.tensor([1.0, 2.0]), torch.tensor([[3.0]])]
    pretrained = [torch.tensor([0.0, 1.0]), torch.tensor([[1.0]])]
    new = [torch.tensor([3.0]), torch.tensor([-4.0])]
    pull, decay = l2sp_loss(shared, pretrained, new, alpha=0.1, beta=0.01)
    # 0.1 / 2 * (1 + 1 + 4) and 0.01 / 2 * (9 + 16)
    assert pull.item() == pytest.approx(0.3)
    assert decay.item() == pytest.approx(0.125)


def test_zero_at_the_pretrained_weights_and_gradient_pulls_back():
    w0 = torch.tensor([0.5, -1.0, 2.0])
    w = w0.clone().requires_grad_(True)
    pull, _ = l2sp_loss([w], [w0], [torch.zeros(1)], alpha=0.2, beta=0.0)
    assert pull.item() == 0.0
    w.data[1] += 0.5
    pull, _ = l2sp_loss([w], [w0], [torch.zeros(1)], alpha=0.2, beta=0.0)
    pull.backward()
    # d/dw (alpha / 2 * (w - w0)^2) = alpha * (w - w0): toward w0
    torch.testing.assert_close(w.grad, torch.tensor([0.0, 0.1, 0.0]))
    assert w0.grad is None  # the reference gets no gradient


def test_new_weights_decay_toward_zero():
    w = torch.tensor([2.0], requires_grad=True)
    _, decay = l2sp_loss([torch.ones(1)], [torch.ones(1)], [w], 0.0, 0.5)
    decay.backward()
    assert w.grad.item() == pytest.approx(1.0)  # beta * w


def test_module_logs_each_term():
    out = L2SPLoss(alpha=0.1, beta=0.01)([torch.tensor([1.0])],
                                         [torch.tensor([0.0])],
                                         [torch.tensor([2.0])])
    assert set(out) == {'loss_l2sp', 'loss_l2_new'}
    assert out['loss_l2sp'].item() == pytest.approx(0.05)
    assert out['loss_l2_new'].item() == pytest.approx(0.02)
    assert L2SPLoss().alpha == 0.1 and L2SPLoss().beta == 0.01


@pytest.mark.parametrize('args, error, match', [
    (dict(alpha=-0.1), ValueError, '`alpha` should be >= 0'),
    (dict(beta=-1), ValueError, '`beta` should be >= 0'),
    (dict(alpha='0.1'), TypeError, '`alpha` should be a finite number'),
    (dict(beta=float('inf')), TypeError, '`beta` should be a finite'),
])
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        L2SPLoss(**args)
