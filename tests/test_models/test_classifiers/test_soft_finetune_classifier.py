import pytest
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from mmsoftft.models.utils.domain_split import split_domains

from ...conftest import make_pretrained_checkpoint, repo_path


def model_cfg(pretrained=None, target_classes=4, source_classes=3,
              source_prefix='head'):
    cfg = Config.fromfile(
        repo_path('configs/_base_/models/softft_resnet18_cifar_digits.py'))
    model = cfg.model
    if pretrained is not None:  # as configs/demo/softft_digits.py does
        model.backbone.init_cfg = dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')
        model.source_head.init_cfg = dict(
            type='Pretrained', prefix=source_prefix)
    model.head.num_classes = target_classes
    model.source_head.num_classes = source_classes
    return model.to_dict()


def batch(domains, target_label=1, source_label=2):
    torch.manual_seed(0)
    inputs = torch.rand(len(domains), 3, 32, 32)
    samples = [
        DataSample(metainfo=dict(domain=d)).set_gt_label(
            source_label if d == 'source' else target_label) for d in domains
    ]
    return inputs, samples


def test_loads_backbone_and_source_head_from_one_checkpoint(pretrained_ckpt):
    model = MODELS.build(model_cfg(pretrained_ckpt))
    model.init_weights()
    state = torch.load(pretrained_ckpt)['state_dict']
    assert torch.equal(model.source_head.fc.weight, state['head.fc.weight'])
    assert torch.equal(model.source_head.fc.bias, state['head.fc.bias'])
    assert torch.equal(model.backbone.conv1.weight,
                       state['backbone.conv1.weight'])
    # the target head keeps its own (fresh) initialisation
    assert model.head.fc.weight.shape == (4, 128)


def test_loss_routes_samples_to_their_heads():
    model = MODELS.build(model_cfg())
    model.source_weight = 0.5
    inputs, samples = batch(['target', 'source', 'target', 'source'])
    losses = model.loss(inputs, samples)
    feats = model.extract_feat(inputs)
    ce = torch.nn.functional.cross_entropy
    t = ce(model.head(tuple(f[[0, 2]] for f in feats)), torch.tensor([1, 1]))
    s = ce(model.source_head(tuple(f[[1, 3]] for f in feats)),
           torch.tensor([2, 2]))
    assert losses['loss_target'].item() == pytest.approx(t.item(), rel=1e-5)
    # the source part as it enters the total: w * L_source
    assert losses['loss_source'].item() == pytest.approx(
        0.5 * s.item(), rel=1e-5)
    total, log_vars = model.parse_losses(losses)
    # mmengine's own parse_losses: the total is not double-counted
    assert total.item() == pytest.approx(t.item() + 0.5 * s.item(), rel=1e-5)
    assert set(log_vars) == {'loss', 'loss_target', 'loss_source'}


def test_each_head_trains_with_its_own_loss_config():
    """The heads' `loss` keys are the losses used (label smoothing goes
    where mmpretrain users put it)."""
    cfg = model_cfg()
    cfg['head']['loss'] = dict(type='LabelSmoothLoss', label_smooth_val=0.2,
                               loss_weight=2.0)
    cfg['source_head']['loss'] = dict(type='CrossEntropyLoss',
                                      loss_weight=3.0)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.source_weight = 0.5
    inputs, samples = batch(['target', 'source'])
    losses = model.loss(inputs, samples)
    feats = model.extract_feat(inputs)
    smooth = torch.nn.functional.cross_entropy(
        model.head(tuple(f[[0]] for f in feats)), torch.tensor([1]),
        label_smoothing=0.2)  # mmpretrain's 'original' mode
    ce = torch.nn.functional.cross_entropy(
        model.source_head(tuple(f[[1]] for f in feats)), torch.tensor([2]))
    assert losses['loss_target'].item() == pytest.approx(
        2.0 * smooth.item(), rel=1e-4)
    assert losses['loss_source'].item() == pytest.approx(
        0.5 * 3.0 * ce.item(), rel=1e-5)


def test_source_part_leaves_the_losses_at_zero_weight():
    model = MODELS.build(model_cfg())
    model.source_weight = 0.0
    inputs, samples = batch(['target', 'target'])
    assert set(model.loss(inputs, samples)) == {'loss_target'}


def test_contiguous_parts_are_views_not_copies():
    feats = (torch.rand(4, 8), )
    samples = batch(['target', 'target', 'source', 'source'])[1]
    (target, _), (source, _) = split_domains(feats, samples)
    assert target[0].data_ptr() == feats[0].data_ptr()
    assert source[0].data_ptr() == feats[0][2:].data_ptr()
    assert target[0]._base is feats[0] and source[0]._base is feats[0]


def test_sampler_order_and_interleaved_order_agree():
    """Target-then-source batches (the sampler's order) take views, other
    orders boolean masks: same losses and gradients either way."""
    inputs, samples = batch(['target', 'target', 'source', 'source'])
    samples[1].set_gt_label(3)
    samples[3].set_gt_label(0)
    results = []
    for order in ([0, 1, 2, 3], [2, 0, 3, 1]):
        torch.manual_seed(0)
        model = MODELS.build(model_cfg())
        model.source_weight = 0.5
        losses = model.loss(inputs[order], [samples[i] for i in order])
        losses['loss'] = model.parse_losses(losses)[0]
        losses['loss'].backward()
        results.append((losses, model.source_head.fc.weight.grad,
                        model.head.fc.weight.grad,
                        model.backbone.conv1.weight.grad))
    (contiguous, *grads_c), (interleaved, *grads_i) = results
    for key in ('loss', 'loss_target', 'loss_source'):
        assert contiguous[key].item() == pytest.approx(
            interleaved[key].item(), rel=1e-5)
    for grad_c, grad_i in zip(grads_c, grads_i):
        assert grad_c.abs().sum() > 0
        torch.testing.assert_close(grad_c, grad_i, rtol=1e-3, atol=1e-5)


def test_target_only_batch_keeps_source_head_in_graph():
    model = MODELS.build(model_cfg())
    model.source_weight = 0.0  # the sampler stops source samples at w = 0
    inputs, samples = batch(['target', 'target'])
    losses = model.loss(inputs, samples)
    assert 'loss_source' not in losses
    model.parse_losses(losses)[0].backward()
    # DDP without find_unused_parameters needs a (zero) gradient here
    assert model.source_head.fc.weight.grad is not None
    assert model.source_head.fc.weight.grad.abs().sum().item() == 0.0


def test_predict_uses_target_head():
    model = MODELS.build(model_cfg(target_classes=4, source_classes=3))
    model.eval()
    inputs, _ = batch(['target'] * 2)
    preds = model(inputs, mode='predict')
    assert preds[0].pred_score.shape == (4, )
    assert model(inputs, mode='tensor').shape == (2, 4)


def test_checkpoint_loads_into_plain_image_classifier(tmp_path):
    model = MODELS.build(model_cfg())
    model.eval()
    path = tmp_path / 'softft.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    plain_cfg = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    plain_cfg.head.num_classes = 4
    plain = MODELS.build(plain_cfg.to_dict())
    load_checkpoint(plain, str(path), map_location='cpu')
    plain.eval()
    inputs, _ = batch(['target'] * 3)
    a = model(inputs, mode='predict')
    b = plain(inputs, mode='predict')
    for x, y in zip(a, b):
        assert torch.allclose(x.pred_score, y.pred_score)


def test_source_class_mismatch_names_both_numbers(pretrained_ckpt):
    model = MODELS.build(model_cfg(pretrained_ckpt, source_classes=1000))
    with pytest.raises(ValueError) as e:
        model.init_weights()
    assert 'source_head has 1000 classes' in str(e.value)
    assert "checkpoint's head has 3" in str(e.value)
    assert 'num_classes=3' in str(e.value)


def test_checkpoint_without_source_head(tmp_path, pretrained_ckpt):
    state = torch.load(pretrained_ckpt)['state_dict']
    path = tmp_path / 'backbone_only.pth'
    torch.save(
        dict(state_dict={
            k: v
            for k, v in state.items() if k.startswith('backbone.')
        }), path)
    model = MODELS.build(model_cfg(str(path)))
    with pytest.raises(ValueError, match='no weights for `source_head`'):
        model.init_weights()


def test_source_head_prefix(tmp_path):
    path = make_pretrained_checkpoint(tmp_path / 'c.pth', num_classes=3)
    state = torch.load(path)['state_dict']
    renamed = {k.replace('head.', 'cls.'): v for k, v in state.items()}
    torch.save(dict(state_dict=renamed), tmp_path / 'r.pth')
    cfg = model_cfg(str(tmp_path / 'r.pth'), source_prefix='cls')
    model = MODELS.build(cfg)
    model.init_weights()
    assert torch.equal(model.source_head.fc.weight, state['head.fc.weight'])


def test_sample_without_domain_is_a_clear_error():
    model = MODELS.build(model_cfg())
    model.source_weight = 1.0
    inputs = torch.rand(1, 3, 32, 32)
    with pytest.raises(ValueError, match='SourceTargetDataset'):
        model.loss(inputs, [DataSample().set_gt_label(0)])


def test_training_without_the_hook_is_an_error():
    # the source weight is the hook's to set: none, no training
    model = MODELS.build(model_cfg())
    assert model.source_weight is None
    inputs, samples = batch(['target', 'source'])
    with pytest.raises(ValueError, match='only with SoftFineTuneHook in '):
        model.loss(inputs, samples)


@pytest.mark.parametrize('key', ['train_cfg', 'data_preprocessor'])
def test_batch_augments_refused(key):
    cfg = model_cfg()
    mixup = [dict(type='Mixup', alpha=0.2)]
    cfg[key] = dict(augments=mixup) if key == 'train_cfg' else dict(
        num_classes=4, batch_augments=dict(augments=mixup))
    with pytest.raises(ValueError, match='batch augments'):
        MODELS.build(cfg)


def test_source_head_takes_the_backbone_checkpoint(pretrained_ckpt, tmp_path):
    cfg = model_cfg(pretrained_ckpt)
    model = MODELS.build(cfg)
    assert model.source_head.init_cfg['checkpoint'] == pretrained_ckpt
    cfg['source_head']['init_cfg']['checkpoint'] = str(tmp_path / 'x.pth')
    with pytest.raises(ValueError, match='differs from'):
        MODELS.build(cfg)
    cfg['source_head'].pop('init_cfg')
    with pytest.raises(ValueError, match='the source head is not'):
        MODELS.build(cfg)


def test_target_head_starts_as_in_plain_fine_tuning():
    """Building the source head draws no random number: with one seed the
    new head is initialised exactly as plain fine-tuning's."""
    plain_cfg = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    plain_cfg.head.num_classes = 4
    heads = []
    for cfg in (plain_cfg.to_dict(), model_cfg()):
        torch.manual_seed(0)
        model = MODELS.build(cfg)
        model.init_weights()
        heads.append(model.head.fc.weight.detach().clone())
    assert torch.equal(*heads)
