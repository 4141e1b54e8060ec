# Learning without Forgetting (Li & Hoiem 2016) on CUB-200-2011:
# plain_resnet50_8xb8_cub.py (same checkpoint, CUB data, batches, schedule;
# no ImageNet image) plus the checkpoint's ImageNet-1k head, trained to keep
# answering on the CUB images as the pre-trained network does (T=2,
# lambda_o=1, the paper's values).
_base_ = ['./plain_resnet50_8xb8_cub.py']
model = dict(
    type='LwFClassifier',
    source_head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        init_cfg=dict(type='Pretrained', prefix='head')),
    loss=dict(type='LwFLoss', temperature=2.0, loss_weight=1.0))
# The paper's warm-up: only the new head trains first (10 of 100 epochs).
# Its frozen weights get no gradient, which DDP accepts with
# find_unused_parameters=True.
custom_hooks = [dict(type='LinearProbeHook', probe_end=0.1, unit='fraction')]
find_unused_parameters = True
