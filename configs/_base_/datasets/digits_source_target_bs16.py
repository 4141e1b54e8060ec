# Demo source (digits in ImageNet's layout) + target (digits in CUB's layout).
_base_ = ['./digits_bs16.py']
source_root = 'data/digits/source'
source_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SourceTargetDataset',
        source=dict(
            type='ImageNet',
            data_root=source_root,
            split='train',
            pipeline=source_pipeline),
        target=dict(
            type='CUB',
            data_root={{_base_.target_root}},
            split='train',
            pipeline={{_base_.train_pipeline}})),
    batch_sampler=dict(type='SourceTargetBatchSampler', source_batch_size=16),
)
