# Soft fine-tuning model of the demo: target head + retained source head.
_base_ = ['./resnet18_cifar_digits.py']
model = dict(
    type='SoftFineTuneClassifier',
    source_head=dict(
        type='LinearClsHead',
        num_classes=5,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
