# Plain fine-tuning of the demo (the baseline): new head, source data dropped.
_base_ = [
    '../_base_/models/resnet18_cifar_digits.py',
    '../_base_/datasets/digits_bs16.py',
    '../_base_/schedules/digits_sgd_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmsoftft'], allow_failed_imports=False)
pretrained = 'work_dirs/demo/digits_pretrain.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')))
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=30, max_keep_ckpts=1))
randomness = dict(seed=0)
