"""Every shipped config: no key shadowed or ignored.

- normalisation: the model the Runner builds normalises exactly like
  mmpretrain's data config for that dataset (a `model.data_preprocessor`
  would hide the top-level mean/std: unnormalised BGR training, silently);
- losses: every `loss` key in the model config changes the computed loss.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..conftest import REPO

IMAGENET = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                to_rgb=True)  # mmpretrain's cub_bs8_448 / imagenet_bs32
DIGITS = dict(mean=[127.5] * 3, std=[127.5] * 3, to_rgb=False)

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def expected_norm(path):
    return DIGITS if '/demo/' in path else IMAGENET


def build_model(path, tmp_path, changes=None):
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path)
    cfg.merge_from_dict(changes or {})
    # nothing is downloaded or loaded: only the model is built
    return Runner.from_cfg(cfg).model


def build_model_fast(path, changes):
    """The model as the Runner builds it (top-level data_preprocessor
    merged unless the model has its own), without the Runner's set-up."""
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(changes)
    model = cfg.model.to_dict()
    model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(model)


def test_all_configs_are_checked():
    names = {osp.relpath(p, REPO) for p in CONFIGS}
    assert 'configs/softft/softft_resnet50_8xb8_stanford-cars.py' in names
    assert 'configs/softft_resnet50_cub.py' in names
    assert 'configs/demo/softft_digits.py' in names


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_model_normalises_like_mmpretrain(path, tmp_path):
    pre = build_model(path, tmp_path).data_preprocessor
    want = expected_norm(path)
    assert pre._enable_normalize, 'images would not be normalised'
    torch.testing.assert_close(pre.mean.flatten(),
                               torch.tensor(want['mean']))
    torch.testing.assert_close(pre.std.flatten(), torch.tensor(want['std']))
    assert pre.to_rgb == want['to_rgb']


def loss_keys(model_cfg, prefix='model'):
    """Paths of every `loss` dict in a model config."""
    for key, value in model_cfg.items():
        if isinstance(value, dict):
            if key == 'loss' or key.endswith('_loss'):
                yield f'{prefix}.{key}'
            else:
                yield from loss_keys(value, f'{prefix}.{key}')


def total_loss(model):
    torch.manual_seed(0)
    size = 32
    inputs = torch.rand(4, 3, size, size) * 255
    domains = ['target', 'target', 'source', 'source']
    samples = [
        DataSample(metainfo=dict(domain=d)).set_gt_label(i % 2)
        for i, d in enumerate(domains)
    ]
    if not hasattr(model, 'source_head'):  # plain: target samples only
        samples = samples[:2]
        inputs = inputs[:2]
    model.source_weight = 0.5
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=inputs, data_samples=samples), True)
        losses = model(**data, mode='loss')
        return model.parse_losses(losses)[0].item()


# (the short entry points in configs/ are their configs/softft/ targets)
LOSS_CONFIGS = [
    p for p in CONFIGS
    if Config.fromfile(p).model.type in ('SoftFineTuneClassifier',
                                         'ImageClassifier',
                                         'ChannelsLastImageClassifier')
    and osp.dirname(p) != osp.join(REPO, 'configs')
]


@pytest.mark.parametrize('path', LOSS_CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in LOSS_CONFIGS])
def test_every_loss_key_is_used(path, tmp_path):
    cfg = Config.fromfile(path)
    keys = list(loss_keys(cfg.model))
    assert 'model.head.loss' in keys
    if cfg.model.type == 'SoftFineTuneClassifier':
        assert 'model.source_head.loss' in keys
    no_init = {'model.backbone.init_cfg': None}
    if 'source_head' in cfg.model:
        no_init['model.source_head.init_cfg'] = None
    model = build_model_fast(path, no_init)
    base = total_loss(model)
    if 'model.loss' in keys:  # the combiner: it has no argument to vary
        keys.remove('model.loss')
        assert type(model.loss_module).__name__ == cfg.model.loss.type
    for key in keys:
        changed = total_loss(
            build_model_fast(path, {**no_init, f'{key}.loss_weight': 3.0}))
        assert changed != pytest.approx(base, rel=1e-4), key


def test_metafile_lists_every_leaf_config():
    import yaml
    meta = yaml.safe_load(open(osp.join(REPO, 'configs/softft/metafile.yml')))
    listed = {m['Config'] for m in meta['Models']}
    leaves = {
        osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs/softft/*.py'))
    }
    assert listed == leaves


SOURCE_CONFIGS = [
    p for p in CONFIGS
    if Config.fromfile(p).train_dataloader.dataset.type ==
    'SourceTargetDataset' and osp.dirname(p) != osp.join(REPO, 'configs')
]


@pytest.mark.parametrize('path', SOURCE_CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in SOURCE_CONFIGS])
def test_source_configs_train_batchnorm_statistics(path):
    """Frozen BatchNorm statistics under mixed source/target batches lost
    on validation data and diverged (docs/en/benchmark_fashion.md): the
    configs that train on source images keep BatchNorm in train mode."""
    cfg = Config.fromfile(path)
    no_init = {'model.backbone.init_cfg': None}
    if 'source_head' in cfg.model:
        no_init['model.source_head.init_cfg'] = None
    backbone = build_model_fast(path, no_init).backbone
    assert any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
               for m in backbone.modules())
    assert backbone.norm_eval is False
    backbone.train()
    assert all(m.training for m in backbone.modules()
               if isinstance(m, torch.nn.modules.batchnorm._BatchNorm))


# the GPU configs (ResNet-50, 448 px); the demo's take --channels-last
GPU_CONFIGS = [p for p in CONFIGS if '/demo/' not in p]


@pytest.mark.parametrize('path', GPU_CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in GPU_CONFIGS])
def test_channels_last_key_works_on_every_gpu_config(path):
    """`--cfg-options model.channels_last=True` (as on the soft config)
    builds channels_last weights for the plain baseline and every other
    method too, instead of an ImageClassifier TypeError."""
    changes = {'model.channels_last': True}  # (init_weights loads)
    model = build_model_fast(path, changes)
    convs = [p for p in model.parameters() if p.dim() == 4]
    assert convs and all(
        p.is_contiguous(memory_format=torch.channels_last) for p in convs)
    default = build_model_fast(path, {**changes, 'model.channels_last': False})
    assert not all(p.is_contiguous(memory_format=torch.channels_last)
                   for p in default.parameters() if p.dim() == 4)


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_data_preprocessor_is_not_shadowed(path):
    """One data preprocessor config: a `model.data_preprocessor` would hide
    the top-level one (mean/std/num_classes) without a word. The model
    builds the preprocessor type its method needs from mmpretrain's keys,
    and the class count is the target head's."""
    cfg = Config.fromfile(path)
    assert 'data_preprocessor' not in cfg.model
    if cfg.model.type not in ('SoftFineTuneClassifier', 'ImageClassifier',
                              'ChannelsLastImageClassifier'):
        return  # (their normalisation: test_model_normalises_like_mmpretrain)
    no_init = {'model.backbone.init_cfg': None}
    if 'source_head' in cfg.model:
        no_init['model.source_head.init_cfg'] = None
    model = build_model_fast(path, no_init)
    pre = model.data_preprocessor
    assert pre.num_classes == cfg.model.head.num_classes
    if cfg.model.type == 'SoftFineTuneClassifier':
        assert type(pre).__name__ == 'SourceTargetDataPreprocessor'
        assert 'type' not in cfg.data_preprocessor


def crop_size(pipeline):
    """The side of the square crop a training pipeline ends with."""
    sizes = [
        step.get('scale') if step['type'] == 'RandomResizedCrop' else
        step.get('crop_size') for step in pipeline
        if step['type'] in ('RandomResizedCrop', 'RandomCrop', 'CenterCrop')
    ]
    assert sizes and isinstance(sizes[-1], int), pipeline
    return sizes[-1]


@pytest.mark.parametrize('path', SOURCE_CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in SOURCE_CONFIGS])
def test_source_images_of_another_size_go_through_the_separate_pass(path):
    """The joint pass needs one image size: a config whose source crops
    differ from its target crops forwards them apart."""
    cfg = Config.fromfile(path)
    dataset = cfg.train_dataloader.dataset
    source, target = (crop_size(dataset[part].pipeline)
                      for part in ('source', 'target'))
    if source != target:
        assert cfg.model.get('source_forward') == 'separate', (source,
                                                               target)


@pytest.mark.parametrize('name', [
    'softft/softft_resnet50_8xb8_cub.py', 'softft_resnet50_cub.py',
    'softft/softft_resnet50_8xb8_stanford-cars.py',
    'softft/softft_resnet50_8xb8_fgvc-aircraft.py',
    'softft/joint_resnet50_8xb8_cub.py'
])
def test_resnet50_soft_configs_forward_224px_source_images_apart(name):
    """ImageNet images at the checkpoint's 224 px, mmpretrain's ImageNet
    recipe, in a pass of their own beside 448 px target images; BatchNorm
    running statistics from target images only."""
    path = osp.join(REPO, 'configs', name)
    cfg = Config.fromfile(path)
    dataset = cfg.train_dataloader.dataset
    assert dataset.source.type == 'ImageNet'
    assert [s['type'] for s in dataset.source.pipeline] == [
        'CheckedLoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
        'PackInputs'
    ]
    assert crop_size(dataset.source.pipeline) == 224
    assert crop_size(dataset.target.pipeline) == 448
    model = build_model_fast(path, {'model.backbone.init_cfg': None,
                                    'model.source_head.init_cfg': None})
    assert (model.source_forward, model.source_bn_stats) == ('separate',
                                                             'frozen')
    # a 448 px target batch and a 224 px source batch, as stack_collate
    # and the preprocessor give them: the backbone sees each at its size
    seen = []
    model.backbone.register_forward_hook(
        lambda m, args, out: seen.append(tuple(args[0].shape[1:])))
    model.source_weight = 0.5
    samples = [DataSample(metainfo=dict(domain=d)).set_gt_label(1)
               for d in ('target', 'source')]
    data = model.data_preprocessor(dict(
        inputs=dict(target=torch.zeros(1, 3, 448, 448, dtype=torch.uint8),
                    source=torch.zeros(1, 3, 224, 224, dtype=torch.uint8)),
        data_samples=samples), True)
    with torch.no_grad():
        model.eval()  # BatchNorm of 1-image batches
        losses = model(**data, mode='loss')
    assert seen == [(3, 448, 448), (3, 224, 224)]
    assert set(losses) == {'loss_target', 'loss_source'}
