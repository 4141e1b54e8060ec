# Soft fine-tuning data: ImageNet-1k train (source) + CUB-200-2011 (target).
# Target pipeline, val/test loaders and evaluator are mmpretrain's CUB ones.
_base_ = ['./cub_bs8_448.py']

# Source images go through the backbone in the same batch as the target
# images, so they are cropped to the same 448 px.
source_pipeline = [
    {{_base_.load}},
    dict(type='RandomResizedCrop', scale=448),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        _delete_=True,
        type='SourceTargetDataset',
        source=dict(
            type='ImageNet',
            data_root='data/imagenet',
            split='train',
            pipeline=source_pipeline),
        target=dict(
            type='CUB',
            data_root='data/CUB_200_2011',
            split='train',
            pipeline={{_base_.train_pipeline}})),
    sampler=dict(type='DefaultSampler', shuffle=True),
    # 8 target + 8 source images per GPU while the source weight is > 0.
    batch_sampler=dict(type='SourceTargetBatchSampler', source_batch_size=8),
)
