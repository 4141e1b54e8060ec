# Co-Tuning (You, Kou, Jiang & Long 2020) on CUB-200-2011:
# plain_resnet50_8xb8_cub.py (same checkpoint, CUB data, batches, schedule;
# no ImageNet image) plus the checkpoint's ImageNet-1k head, trained toward
# the soft ImageNet labels p(y_s | y_t) of each CUB label. CoTuningHook
# computes that category relationship from the pre-trained model before
# training (the val pipeline on the CUB training images; the paper's direct
# form, not calibrated); the model refuses to train without it.
# lambda = loss_weight = 2.3, the paper's value for most tasks.
_base_ = ['./plain_resnet50_8xb8_cub.py']
model = dict(
    type='CoTuningClassifier',
    source_head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        init_cfg=dict(type='Pretrained', prefix='head')),
    loss=dict(type='CoTuningLoss', loss_weight=2.3))
custom_hooks = [dict(type='CoTuningHook')]
