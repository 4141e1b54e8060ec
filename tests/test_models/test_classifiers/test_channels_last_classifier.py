import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from mmsoftft.models import use_channels_last

from ...conftest import repo_path


def plain_cfg(**kwargs):
    cfg = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    return dict(cfg.to_dict(), **kwargs)


def is_channels_last(model):
    convs = [p for p in model.parameters() if p.dim() == 4]
    assert convs
    return all(
        p.is_contiguous(memory_format=torch.channels_last) for p in convs)


def test_same_keys_and_losses_as_image_classifier(tmp_path):
    torch.manual_seed(0)
    plain = MODELS.build(plain_cfg())
    fast = MODELS.build(plain_cfg(type='ChannelsLastImageClassifier'))
    assert not is_channels_last(plain) and is_channels_last(fast)
    assert list(fast.state_dict()) == list(plain.state_dict())
    fast.load_state_dict(plain.state_dict())
    assert is_channels_last(fast)  # loading copies into the layout
    inputs = torch.rand(4, 3, 32, 32)
    samples = [DataSample().set_gt_label(i) for i in range(4)]
    torch.testing.assert_close(
        fast.loss(inputs, samples)['loss'],
        plain.loss(inputs, samples)['loss'], rtol=1e-4, atol=1e-5)
    # its checkpoints load into plain ImageClassifier
    torch.save(fast.state_dict(), tmp_path / 'w.pth')
    MODELS.build(plain_cfg()).load_state_dict(torch.load(tmp_path / 'w.pth'))


def test_layout_survives_pretrained_init(tmp_path):
    torch.manual_seed(0)
    source = MODELS.build(plain_cfg())
    torch.save(dict(state_dict=source.state_dict()), tmp_path / 'src.pth')
    cfg = plain_cfg(type='ChannelsLastImageClassifier')
    cfg['backbone']['init_cfg'] = dict(
        type='Pretrained', checkpoint=str(tmp_path / 'src.pth'),
        prefix='backbone')
    model = MODELS.build(cfg)
    model.init_weights()
    assert is_channels_last(model)
    assert torch.equal(model.backbone.conv1.weight,
                       source.backbone.conv1.weight)


def test_can_be_switched_off():
    model = MODELS.build(
        plain_cfg(type='ChannelsLastImageClassifier', channels_last=False))
    assert not is_channels_last(model)


def test_use_channels_last_switches_configs():
    plain = use_channels_last(plain_cfg())
    assert plain['type'] == 'ChannelsLastImageClassifier'
    assert is_channels_last(MODELS.build(plain))
    soft = use_channels_last(dict(type='SoftFineTuneClassifier'))
    assert soft == dict(type='SoftFineTuneClassifier', channels_last=True)
    with pytest.raises(ValueError, match="but got 'TimmClassifier'"):
        use_channels_last(dict(type='TimmClassifier'))


@pytest.mark.parametrize('model_type', ['L2SPClassifier', 'LwFClassifier'])
def test_use_channels_last_takes_the_baselines(model_type):
    cfg = use_channels_last(dict(type=model_type))
    assert cfg == dict(type=model_type, channels_last=True)


def test_predict_feat():
    torch.manual_seed(0)
    model = MODELS.build(plain_cfg(type='ChannelsLastImageClassifier',
                                   predict_feat=True)).eval()
    inputs = torch.rand(2, 3, 32, 32)
    preds = model.predict(inputs)
    torch.testing.assert_close(
        torch.stack([p.pred_feat for p in preds]),
        model.head.pre_logits(model.extract_feat(inputs)))
    plain = MODELS.build(plain_cfg()).eval()
    plain.load_state_dict(model.state_dict())
    want = plain.predict(inputs)
    assert 'pred_feat' not in want[0]
    torch.testing.assert_close(preds[0].pred_score, want[0].pred_score)
