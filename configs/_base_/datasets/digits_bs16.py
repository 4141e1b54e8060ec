# Target task of the demo: digit images in CUB's layout (plain fine-tuning).
dataset_type = 'CUB'
target_root = 'data/digits/target'
data_preprocessor = dict(
    num_classes=5, mean=[127.5] * 3, std=[127.5] * 3, to_rgb=False)
train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(
        type=dataset_type,
        data_root=target_root,
        split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
    # one stacked image tensor per batch from the worker (mmsoftft)
    collate_fn=dict(type='stack_collate'),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(
        type=dataset_type,
        data_root=target_root,
        split='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
