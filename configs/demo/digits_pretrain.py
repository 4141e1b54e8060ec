# Stand-in for ImageNet pre-training: learn the source digit classes.
_base_ = [
    '../_base_/models/resnet18_cifar_digits.py',
    '../_base_/digits_runtime.py',
]
data_preprocessor = dict(
    num_classes=5, mean=[127.5] * 3, std=[127.5] * 3, to_rgb=False)
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    dataset=dict(
        type='ImageNet',
        data_root='data/digits/source',
        split='train',
        pipeline=[
            dict(type='CheckedLoadImageFromFile'),
            dict(type='RandomCrop', crop_size=32, padding=4),
            dict(type='PackInputs'),
        ]),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=10, T_max=10)
]
train_cfg = dict(by_epoch=True, max_epochs=10)
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=1))
