import pytest
import torch

from mmsoftft.models import (
    SoftFineTuneLoss,
    rename_loss_dict,
    reweight_loss_dict,
)


def test_pure_functions():
    losses = dict(loss=torch.tensor(2.0), loss_cls=torch.tensor(4.0),
                  accuracy=torch.tensor(50.0))
    weighted = reweight_loss_dict(losses, 0.25)
    assert weighted['loss'].item() == 0.5
    assert weighted['loss_cls'].item() == 1.0
    assert weighted['accuracy'].item() == 50.0  # not a loss: unscaled
    assert list(rename_loss_dict(weighted, 'source')) == [
        'loss_source', 'loss_source_cls', 'accuracy_source'
    ]


def test_module_combines_the_heads_losses():
    out = SoftFineTuneLoss()(
        dict(loss=torch.tensor(1.5)), dict(loss=torch.tensor(2.0)),
        source_weight=0.25)
    assert out == dict(loss_target=torch.tensor(1.5),
                       loss_source=torch.tensor(0.5))
    # mmengine sums every key containing 'loss': L_t + w * L_s
    assert sum(v for k, v in out.items() if 'loss' in k).item() == 2.0


def test_weight_one_and_zero():
    target, source = dict(loss=torch.tensor(1.0)), dict(
        loss=torch.tensor(3.0))
    assert SoftFineTuneLoss()(target, source, 1.0)['loss_source'] == 3.0
    assert SoftFineTuneLoss()(target, source, 0.0)['loss_source'] == 0.0


def test_no_source_samples_leaves_the_source_part_out():
    out = SoftFineTuneLoss()(dict(loss=torch.tensor(1.0)), None, 0.0)
    assert out == dict(loss_target=torch.tensor(1.0))


def test_positive_weight_without_source_samples_is_an_error():
    with pytest.raises(ValueError, match='weight is 0.5 but the batch holds '
                       'no source sample'):
        SoftFineTuneLoss()(dict(loss=torch.tensor(1.0)), None, 0.5)


def test_old_loss_keys_are_refused():
    from mmpretrain.registry import MODELS
    with pytest.raises(TypeError, match='target_loss'):
        MODELS.build(dict(type='SoftFineTuneLoss',
                          target_loss=dict(type='CrossEntropyLoss')))
