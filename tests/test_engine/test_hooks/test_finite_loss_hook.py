import warnings
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub

from mmsoftft.engine.hooks import FiniteLossHook


def fake_runner():
    hub = MessageHub(name='finite_loss_test')
    hub.update_info('last_ckpt', 'work/epoch_1.pth')
    return SimpleNamespace(message_hub=hub, iter=7, epoch=2)


def test_finite_loss_that_requires_grad_passes_silently():
    weight = torch.ones(1, requires_grad=True)
    outputs = dict(loss=(weight * 2).sum(), loss_cls=torch.tensor(1.0),
                   accuracy=torch.tensor(float('nan')))  # not a loss
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # torch warns on float(grad tensor)
        FiniteLossHook().after_train_iter(fake_runner(), 0, outputs=outputs)


def test_non_finite_part_is_named_before_the_total():
    weight = torch.ones(1, requires_grad=True)
    outputs = dict(loss=(weight * float('inf')).sum(),
                   loss_source=torch.tensor(float('inf')))
    with pytest.raises(FloatingPointError) as e:
        FiniteLossHook().after_train_iter(fake_runner(), 0, outputs=outputs)
    assert str(e.value).startswith('loss_source is inf at iteration 7')
    assert 'work/epoch_1.pth' in str(e.value)
