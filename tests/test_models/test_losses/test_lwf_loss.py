import math

import pytest
import torch

from mmsoftft.models import LwFLoss, lwf_loss


def test_zero_when_the_student_answers_as_the_teacher():
    logits = torch.tensor([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]])
    student = logits.clone().requires_grad_(True)
    loss = lwf_loss(student, logits, temperature=2.0)
    assert loss.item() == pytest.approx(0.0, abs=1e-7)
    loss.backward()  # the minimum: no gradient
    torch.testing.assert_close(student.grad, torch.zeros_like(logits))
    # a shift of every logit is the same distribution: still 0
    assert lwf_loss(logits + 5, logits, 2.0).item() == pytest.approx(
        0.0, abs=1e-6)


def test_by_hand_two_classes():
    # teacher logits (0, 2 ln 3) at T=2: p = (1/4, 3/4); student (0, 2 ln 2)
    # at T=2: q = (1/3, 2/3) (at T=1 it would be (1/5, 4/5): the student's
    # logits are divided by T too). KL = 1/4 ln(3/4) + 3/4 ln(9/8)
    teacher = torch.tensor([[0.0, 2 * math.log(3)]])
    student = torch.tensor([[0.0, 2 * math.log(2)]])
    want = 0.25 * math.log(0.75) + 0.75 * math.log(9 / 8)
    assert lwf_loss(student, teacher, 2.0).item() == pytest.approx(
        want, rel=1e-5)  # float32
    # the paper's cross-entropy differs by the teacher's entropy only
    entropy = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    cross_entropy = -(0.25 * math.log(1 / 3) + 0.75 * math.log(2 / 3))
    assert want == pytest.approx(cross_entropy - entropy)
    # a student of zero logits: q = (1/2, 1/2) at any T
    assert lwf_loss(torch.zeros(1, 2), teacher, 2.0).item() == \
        pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))


def test_mean_over_samples_and_no_gradient_into_the_teacher():
    teacher = torch.randn(4, 5, requires_grad=True)
    student = torch.randn(4, 5, requires_grad=True)
    per_sample = [lwf_loss(student[i:i + 1], teacher[i:i + 1], 2.0)
                  for i in range(4)]
    loss = lwf_loss(student, teacher, 2.0)
    assert loss.item() == pytest.approx(sum(per_sample).item() / 4)
    loss.backward()
    assert teacher.grad is None and student.grad is not None


def test_module_weight_and_temperature():
    teacher, student = torch.tensor([[0.0, 2.0]]), torch.zeros(1, 2)
    base = LwFLoss()(student, teacher)
    assert LwFLoss(loss_weight=3.0)(student, teacher).item() == \
        pytest.approx(3 * base.item())
    assert base.item() == pytest.approx(
        lwf_loss(student, teacher, 2.0).item())  # T=2, lambda_o=1
    assert LwFLoss(temperature=1.0)(student, teacher).item() > base.item()


@pytest.mark.parametrize('args, error, match', [
    (dict(temperature=0), ValueError, '`temperature` should be > 0'),
    (dict(loss_weight=-1), ValueError, '`loss_weight` should be >= 0'),
    (dict(temperature=None), TypeError, '`temperature` should be a finite'),
])
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        LwFLoss(**args)
