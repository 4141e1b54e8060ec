"""L2SPClassifier: the penalty at and away from the pre-trained weights,
checkpoints a plain ImageClassifier loads, and a Runner training through
configs/demo/l2sp_digits.py."""
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...baseline_configs import baseline_cfg, train
from ...conftest import repo_path


def model_cfg(pretrained, **loss):
    model = Config.fromfile(repo_path('configs/demo/l2sp_digits.py')).model
    model.backbone.init_cfg.checkpoint = pretrained
    model.head.num_classes = 3
    model.loss.update(loss)
    return model.to_dict()


def built(pretrained, **loss):
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(pretrained, **loss))
    model.init_weights()
    model.optimizer_checked = True  # what L2SPHook does in a Runner
    return model


def batch():
    torch.manual_seed(0)
    samples = [DataSample().set_gt_label(i % 3) for i in range(4)]
    return torch.rand(4, 3, 32, 32), samples


def test_zero_at_the_pretrained_weights(pretrained_ckpt):
    model = built(pretrained_ckpt, alpha=0.1, beta=0.01)
    state = torch.load(pretrained_ckpt)['state_dict']
    backbone = [v for k, v in state.items()
                if k.startswith('backbone.') and 'running' not in k
                and 'num_batches' not in k]
    torch.testing.assert_close(
        model.pretrained_shared, torch.cat([v.reshape(-1) for v in backbone]))
    losses = model.loss(*batch())
    assert set(losses) == {'loss_target', 'loss_l2sp', 'loss_l2_new'}
    assert losses['loss_l2sp'].item() == 0.0
    head = sum(p.pow(2).sum() for p in model.head.parameters())
    assert losses['loss_l2_new'].item() == pytest.approx(
        0.005 * head.item())
    ce = torch.nn.functional.cross_entropy(
        model(batch()[0]), torch.tensor([0, 1, 2, 0]))
    assert losses['loss_target'].item() == pytest.approx(ce.item(), rel=1e-5)


def test_gradient_pulls_toward_the_pretrained_weights(pretrained_ckpt):
    model = built(pretrained_ckpt, alpha=0.5, beta=0.0)
    weight = model.backbone.conv1.weight
    start = weight.detach().clone()
    with torch.no_grad():
        weight[0, 0, 0, 0] += 0.4
    model.loss(*batch())['loss_l2sp'].backward()
    grad = weight.grad.clone()
    # only the displaced entry is pulled, by alpha * displacement
    assert grad[0, 0, 0, 0].item() == pytest.approx(0.5 * 0.4)
    grad[0, 0, 0, 0] = 0
    assert grad.abs().max().item() == 0  # (only the pull's gradient here)
    with torch.no_grad():
        weight -= 1.0 * weight.grad
    assert (weight - start).abs().max().item() < 0.4


def test_alpha_and_beta_scale_their_terms(pretrained_ckpt):
    model = built(pretrained_ckpt, alpha=0.1, beta=0.01)
    with torch.no_grad():
        model.backbone.conv1.weight.add_(0.1)
    base = model.loss(*batch())
    model.loss_module.alpha, model.loss_module.beta = 0.3, 0.04
    scaled = model.loss(*batch())
    assert scaled['loss_l2sp'].item() == pytest.approx(
        3 * base['loss_l2sp'].item())
    assert scaled['loss_l2_new'].item() == pytest.approx(
        4 * base['loss_l2_new'].item())


def test_checkpoint_loads_into_a_plain_image_classifier(pretrained_ckpt):
    model = built(pretrained_ckpt)
    plain = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    plain.head.num_classes = 3
    plain = MODELS.build(plain)
    assert set(model.state_dict()) == set(plain.state_dict())
    plain.load_state_dict(model.state_dict(), strict=True)


def test_needs_a_pretrained_backbone(pretrained_ckpt):
    cfg = model_cfg(pretrained_ckpt)
    cfg['backbone']['init_cfg'] = None
    with pytest.raises(ValueError, match='pulls the backbone toward its '
                       'pre-trained weights'):
        MODELS.build(cfg)


def test_training_loss_needs_the_hook_and_init_weights(pretrained_ckpt):
    model = MODELS.build(model_cfg(pretrained_ckpt))
    with pytest.raises(ValueError, match='only with L2SPHook in'):
        model.loss(*batch())
    model.optimizer_checked = True
    with pytest.raises(RuntimeError, match='records the pre-trained'):
        model.loss(*batch())


@pytest.fixture(scope='module')
def l2sp_run(tiny_data, pretrained_ckpt, tmp_path_factory):
    work = tmp_path_factory.mktemp('l2sp')
    runner = train(baseline_cfg('l2sp', tiny_data, pretrained_ckpt, work))
    return dict(runner=runner, work=work)


def test_runner_trains_with_the_penalty(l2sp_run, pretrained_ckpt):
    runner = l2sp_run['runner']
    hub = runner.message_hub
    assert hub.get_scalar('train/loss_l2sp').current() > 0  # moved away
    assert hub.get_scalar('train/loss_l2_new').current() > 0
    last = {k: hub.get_scalar(f'train/{k}').current()
            for k in ('loss', 'loss_target', 'loss_l2sp', 'loss_l2_new')}
    assert last['loss'] == pytest.approx(
        last['loss_target'] + last['loss_l2sp'] + last['loss_l2_new'])
    ckpt = torch.load(l2sp_run['work'] / 'epoch_2.pth')['state_dict']
    assert not any('pretrained_shared' in k for k in ckpt)


def test_resume_pulls_toward_the_same_weights(l2sp_run, tiny_data,
                                              pretrained_ckpt, tmp_path):
    cfg = baseline_cfg('l2sp', tiny_data, pretrained_ckpt, tmp_path)
    runner = train(cfg, resume_from=str(l2sp_run['work'] / 'epoch_1.pth'))
    torch.testing.assert_close(
        runner.model.pretrained_shared,
        l2sp_run['runner'].model.pretrained_shared, rtol=0, atol=0)
    for key, value in runner.model.state_dict().items():
        assert torch.allclose(
            value.float(),
            l2sp_run['runner'].model.state_dict()[key].float(),
            atol=1e-5), key


def neck_checkpoint(path):
    """A pre-trained ImageClassifier whose neck has weights (LinearNeck)."""
    from ...conftest import make_pretrained_checkpoint
    model = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    model.neck = dict(type='LinearNeck', in_channels=128, out_channels=32,
                      gap_dim=2, norm_cfg=None)
    model.head.in_channels = 32
    return make_pretrained_checkpoint(path, num_classes=3,
                                      model_cfg=model.to_dict())


def test_a_pretrained_neck_is_pulled_too(tmp_path):
    ckpt = neck_checkpoint(tmp_path / 'neck.pth')
    cfg = model_cfg(ckpt, alpha=0.5, beta=0.0)
    cfg['neck'] = dict(
        type='LinearNeck', in_channels=128, out_channels=32, gap_dim=2,
        norm_cfg=None,
        init_cfg=dict(type='Pretrained', checkpoint=ckpt, prefix='neck'))
    cfg['head']['in_channels'] = 32
    torch.manual_seed(1)  # other random weights than the checkpoint's
    model = MODELS.build(cfg)
    model.init_weights()
    model.optimizer_checked = True
    assert model.shared_parts == ['backbone', 'neck']
    pretrained = torch.load(ckpt)['state_dict']['neck.fc.weight']
    weight = model.neck.fc.weight
    assert torch.equal(weight, pretrained)  # loaded
    assert model.loss(*batch())['loss_l2sp'].item() == 0.0
    with torch.no_grad():
        weight[0, 0] += 0.4
    model.loss(*batch())['loss_l2sp'].backward()
    # pulled back toward its pre-trained value, by alpha * displacement
    assert weight.grad[0, 0].item() == pytest.approx(0.5 * 0.4)
    with torch.no_grad():
        weight -= weight.grad
    assert abs(weight[0, 0] - pretrained[0, 0]).item() == pytest.approx(
        0.4 * 0.5)
    # and not decayed as a new weight: beta's term holds the head only
    model = MODELS.build(dict(cfg, loss=dict(type='L2SPLoss', alpha=0.0,
                                             beta=0.02)))
    model.init_weights()
    model.optimizer_checked = True
    head = sum(p.pow(2).sum() for p in model.head.parameters())
    assert model.loss(*batch())['loss_l2_new'].item() == pytest.approx(
        0.01 * head.item())


def test_channels_last_weights_and_the_same_losses(pretrained_ckpt):
    model = built(pretrained_ckpt, alpha=0.1, beta=0.01)
    torch.manual_seed(0)
    fast = MODELS.build(dict(model_cfg(pretrained_ckpt, alpha=0.1,
                                       beta=0.01), channels_last=True))
    fast.init_weights()
    fast.optimizer_checked = True
    convs = [p for p in fast.parameters() if p.dim() == 4]
    assert convs and all(
        p.is_contiguous(memory_format=torch.channels_last) for p in convs)
    torch.testing.assert_close(fast.pretrained_shared,
                               model.pretrained_shared, rtol=0, atol=0)
    for m in (model, fast):
        with torch.no_grad():
            m.backbone.conv1.weight.add_(0.1)
    want, got = model.loss(*batch()), fast.loss(*batch())
    for key in want:
        torch.testing.assert_close(got[key], want[key], rtol=1e-4,
                                   atol=1e-5)


def test_predict_feat(pretrained_ckpt):
    model = MODELS.build(dict(model_cfg(pretrained_ckpt), predict_feat=True))
    model.eval()
    inputs, samples = batch()
    preds = model.predict(inputs, samples)
    feats = model.head.pre_logits(model.extract_feat(inputs))
    assert preds[0].pred_feat.shape == (128, )
    torch.testing.assert_close(torch.stack([p.pred_feat for p in preds]),
                               feats)
    plain = MODELS.build(model_cfg(pretrained_ckpt))
    assert 'pred_feat' not in plain.eval().predict(*batch())[0]
