# Soft fine-tuning of the demo: same schedule and target batches as
# finetune_digits.py, plus source digits whose loss softly decays to 0.
_base_ = [
    '../_base_/models/softft_resnet18_cifar_digits.py',
    '../_base_/datasets/digits_source_target_bs16.py',
    '../_base_/schedules/digits_sgd_30e.py',
    '../_base_/digits_runtime.py',
]
pretrained = 'work_dirs/demo/digits_pretrain.pth'
# one checkpoint, set as in finetune_digits.py; the source head takes it too
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone')),
    source_head=dict(init_cfg=dict(type='Pretrained', prefix='head')))
custom_hooks = [
    dict(
        type='SoftFineTuneHook',
        start_weight=1.0,
        decay_begin=0,
        decay_end=0.25,
        unit='fraction',
        shape='cosine')
]
default_hooks = dict(
    checkpoint=dict(interval=30, max_keep_ckpts=1))
