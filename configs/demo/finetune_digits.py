# Plain fine-tuning of the demo (the baseline): new head, source data dropped.
_base_ = [
    '../_base_/models/resnet18_cifar_digits.py',
    '../_base_/datasets/digits_bs16.py',
    '../_base_/schedules/digits_sgd_30e.py',
    '../_base_/digits_runtime.py',
]
pretrained = 'work_dirs/demo/digits_pretrain.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')))
default_hooks = dict(
    checkpoint=dict(interval=30, max_keep_ckpts=1))
