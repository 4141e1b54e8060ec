# Co-Tuning on the demo (You, Kou, Jiang & Long 2020): finetune_digits.py
# (same target data, batches, schedule and checkpoint, no source image)
# plus the pre-trained source head, trained toward the soft source labels
# p(y_s | y_t) of each target label. CoTuningHook computes that category
# relationship from the pre-trained model before training (the val
# pipeline on the target training images); the model refuses to train
# without it. lambda = loss_weight = 2.3, the paper's value.
_base_ = ['./finetune_digits.py']
model = dict(
    type='CoTuningClassifier',
    source_head=dict(
        type='LinearClsHead',
        num_classes=5,
        in_channels=128,
        init_cfg=dict(type='Pretrained', prefix='head')),
    loss=dict(type='CoTuningLoss', loss_weight=2.3))
custom_hooks = [dict(type='CoTuningHook')]
