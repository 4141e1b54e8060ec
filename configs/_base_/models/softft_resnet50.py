# ResNet-50 with a new target head and the retained ImageNet-1k head. Each
# head's `loss` is the loss it trains with; the classifier adds the source
# head's, scaled by the source weight w(t) of SoftFineTuneHook, to the
# target head's.
_base_ = ['mmpretrain::_base_/models/resnet50.py']
model = dict(
    type='SoftFineTuneClassifier',
    head=dict(num_classes=200, topk=(1, )),
    source_head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
