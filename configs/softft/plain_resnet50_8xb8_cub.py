# Plain fine-tuning baseline: the same checkpoint, schedule, target data and
# target batches as softft_resnet50_8xb8_cub.py, with no source data.
# mmpretrain's CUB recipe (its model, data and schedule bases) from the
# ImageNet-1k checkpoint of the soft config, not mmpretrain's
# resnet50_8xb8_cub.py, which starts from ImageNet-21k weights; loading
# through the plugin's checked image loader and stack_collate.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/cub_bs8_448.py',
    'mmpretrain::_base_/schedules/cub_bs64.py',
    '../_base_/softft_runtime.py',
]
pretrained = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'  # noqa: E501
# ChannelsLastImageClassifier with channels_last=False is mmpretrain's
# ImageClassifier (same modules, keys and checkpoints) that also takes
# `model.channels_last=True`, as the soft config does.
model = dict(
    type='ChannelsLastImageClassifier',
    channels_last=False,
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')),
    head=dict(num_classes=200, topk=(1, )))

default_hooks = dict(logger=dict(type='LoggerHook', interval=20))
