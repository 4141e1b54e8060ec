"""tools/train.py and tools/test.py on a user's config that inherits
configs/softft_resnet50_cub.py for another dataset (a folder-layout
CustomDataset), with a ResNet-50 checkpoint made here."""
import glob
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

from benchmarks import write_imagenet_layout

from ..conftest import make_pretrained_checkpoint, repo_path, run_tool

USER_CONFIG = '''
_base_ = ['{base}']
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=32),
    dict(type='PackInputs'),
]
data_preprocessor = dict(num_classes=4)
model = dict(
    backbone=dict(init_cfg=dict(checkpoint='{ckpt}')),
    head=dict(num_classes=4),
    source_head=dict(num_classes=3))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        source=dict(data_root='{source}', pipeline=pipeline),
        target=dict(
            _delete_=True,
            type='CustomDataset',
            data_root='{target}',
            data_prefix='train',
            pipeline=pipeline)),
    batch_sampler=dict(source_batch_size=2))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='{target}',
        data_prefix='val',
        pipeline=pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
randomness = dict(seed=0)
'''


@pytest.fixture(scope='module')
def user_config(tmp_path_factory, tiny_data, digits):
    root = tmp_path_factory.mktemp('user')
    images, labels = digits
    rng = np.random.default_rng(0)
    for split, n in (('train', 3), ('val', 2)):
        idx = np.concatenate([
            rng.choice(np.flatnonzero(labels == c), n, replace=False)
            for c in (3, 4, 8, 9)
        ])
        write_imagenet_layout(str(root / 'custom'), split, images[idx],
                              [int(np.where([3, 4, 8, 9] == labels[i])[0][0])
                               for i in idx], ['a', 'b', 'c', 'd'])
    model = Config.fromfile(
        repo_path('configs/_base_/models/softft_resnet50.py')).model
    plain = dict(
        type='ImageClassifier',
        backbone=model.backbone.to_dict(),
        neck=model.neck.to_dict(),
        head=model.source_head.to_dict())
    ckpt = make_pretrained_checkpoint(root / 'r50.pth', num_classes=3,
                                      model_cfg=plain)
    path = root / 'softft_resnet50_custom.py'
    path.write_text(
        USER_CONFIG.format(
            base=repo_path('configs/softft_resnet50_cub.py'), ckpt=ckpt,
            source=tiny_data['source'], target=str(root / 'custom')))
    return str(path)


def test_inherited_config_trains_resumes_and_tests(user_config, tmp_path):
    work = str(tmp_path / 'work')
    out = run_tool(
        repo_path('tools/train.py'), user_config, '--work-dir', work,
        '--cfg-options', 'train_cfg.max_epochs=1')
    # mmengine's PretrainedInit: backbone and source head, one checkpoint
    assert 'load backbone in model from' in out
    assert 'load head in model from' in out
    assert 'source_weight: 1.0000' in out
    assert osp.exists(osp.join(work, 'epoch_1.pth'))
    # --resume (auto) continues the run to epoch 2 with weights_only loads
    out = run_tool(repo_path('tools/train.py'), user_config, '--work-dir',
                   work, '--resume')
    assert 'resumed epoch: 1' in out
    assert osp.exists(osp.join(work, 'epoch_2.pth'))
    out = run_tool(repo_path('tools/test.py'), user_config,
                   osp.join(work, 'epoch_2.pth'), '--work-dir', work)
    assert 'accuracy/top1' in out
    assert len(glob.glob(osp.join(work, '*', '*.log'))) >= 3


@pytest.mark.parametrize('config', ['finetune_digits.py', 'softft_digits.py',
                                    'l2sp_digits.py', 'lwf_digits.py'])
def test_channels_last_flag_for_plain_and_soft(config, tiny_data,
                                               pretrained_ckpt, tmp_path):
    """--channels-last on the plain baseline (ImageClassifier, switched to
    ChannelsLastImageClassifier), on soft fine-tuning and on L2-SP and LwF
    (what `compare_methods.py ... -- --channels-last` passes to each): the
    run trains and its checkpoint holds channels_last conv weights that
    load into plain ImageClassifier."""
    work = str(tmp_path / 'work')
    options = {
        'model.head.num_classes': 3,
        'data_preprocessor.num_classes': 3,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'val_dataloader.dataset.data_root': tiny_data['target'],
        'val_dataloader.num_workers': 0,
        'val_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 1,
        'train_cfg.val_interval': 1,
    }
    if config == 'finetune_digits.py':
        options.update({
            'model.backbone.init_cfg': None,
            'train_dataloader.dataset.data_root': tiny_data['target'],
        })
    elif config in ('l2sp_digits.py', 'lwf_digits.py'):
        options.update({
            'model.backbone.init_cfg.checkpoint': pretrained_ckpt,
            'train_dataloader.dataset.data_root': tiny_data['target'],
        })
        if config == 'lwf_digits.py':
            options['model.source_head.num_classes'] = 3
    else:
        options.update({
            'model.backbone.init_cfg.checkpoint': pretrained_ckpt,
            'model.source_head.num_classes': 3,
            'train_dataloader.dataset.source.data_root': tiny_data['source'],
            'train_dataloader.dataset.target.data_root': tiny_data['target'],
        })
    out = run_tool(repo_path('tools/train.py'),
                   repo_path('configs/demo', config), '--work-dir', work,
                   '--channels-last', '--cfg-options',
                   *[f'{k}={v}' for k, v in options.items()])
    assert 'accuracy/top1' in out
    state = torch.load(osp.join(work, 'epoch_1.pth'))['state_dict']
    convs = [v for v in state.values() if v.dim() == 4]
    assert convs and all(
        v.is_contiguous(memory_format=torch.channels_last) for v in convs)
    plain = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    plain.head.num_classes = 3
    missing, _ = MODELS.build(plain).load_state_dict(state, strict=False)
    assert not missing


def test_channels_last_flag_refuses_other_models(tmp_path):
    proc = subprocess.run(
        [sys.executable, repo_path('tools/train.py'),
         repo_path('configs/demo/finetune_digits.py'), '--work-dir',
         str(tmp_path), '--channels-last', '--cfg-options',
         'model.type=TimmClassifier'],
        cwd=repo_path(), capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONWARNINGS='ignore'))
    assert proc.returncode != 0
    assert ("--channels-last needs model.type ImageClassifier or one of "
            "SoftFineTuneClassifier, ChannelsLastImageClassifier, "
            "L2SPClassifier, LwFClassifier, LPFTClassifier, "
            "CoTuningClassifier, but got 'TimmClassifier'"
            ) in proc.stderr
