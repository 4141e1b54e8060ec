# Learning without Forgetting on the demo (Li & Hoiem 2016):
# finetune_digits.py (same target data, batches, schedule and checkpoint,
# no source image) plus the pre-trained source head, trained to keep
# answering on the target images as the pre-trained network does.
_base_ = ['./finetune_digits.py']
model = dict(
    type='LwFClassifier',
    source_head=dict(
        type='LinearClsHead',
        num_classes=5,
        in_channels=128,
        init_cfg=dict(type='Pretrained', prefix='head')),
    loss=dict(type='LwFLoss', temperature=2.0, loss_weight=1.0))
# The paper's warm-up: only the new head trains first. Its frozen weights
# get no gradient, which DDP accepts with find_unused_parameters=True.
custom_hooks = [dict(type='LinearProbeHook', probe_end=0.1, unit='fraction')]
find_unused_parameters = True
