# Soft fine-tuning of an ImageNet-1k ResNet-50 on CUB-200-2011 (448 px,
# mmpretrain's CUB schedule: SGD lr 0.01 nesterov, 5-epoch warm-up, cosine,
# 100 epochs, 8 GPUs x 8 target images, + 8 source images at 224 px while
# w > 0).
_base_ = [
    '../_base_/models/softft_resnet50.py',
    '../_base_/datasets/imagenet_cub_bs8_448.py',
    'mmpretrain::_base_/schedules/cub_bs64.py',
    '../_base_/softft_runtime.py',
]
# One standard mmpretrain checkpoint, set as in plain fine-tuning:
# backbone.* -> backbone; head.fc.* -> source_head (its `checkpoint`
# defaults to the backbone's), 1000 ImageNet classes.
pretrained = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'  # noqa: E501
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')),
    source_head=dict(init_cfg=dict(type='Pretrained', prefix='head')),
    head=dict(num_classes=200),
    # The source images (224 px) in a backbone pass of their own, after the
    # target images' (448 px): target BatchNorm statistics from target
    # images only, and the running statistics (evaluation's) left to them.
    source_forward='separate',
    source_bn_stats='frozen')

custom_hooks = [
    dict(
        type='SoftFineTuneHook',
        start_weight=1.0,
        decay_begin=0,
        decay_end=0.25,
        unit='fraction',
        shape='cosine')
]

default_hooks = dict(logger=dict(type='LoggerHook', interval=20))
