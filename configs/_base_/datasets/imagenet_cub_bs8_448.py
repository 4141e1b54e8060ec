# Soft fine-tuning data: ImageNet-1k train (source) + CUB-200-2011 (target).
# Target pipeline, val/test loaders and evaluator are mmpretrain's CUB ones.
_base_ = ['./cub_bs8_448.py']

# Source images: mmpretrain's ImageNet training pipeline, 224 px (the size
# the checkpoint was trained at). They go through the backbone in a pass of
# their own, so the model needs `source_forward='separate'` (the soft
# configs set it); stack_collate stacks them apart from the 448 px target
# images, and neither is padded to the other.
source_pipeline = [
    {{_base_.load}},
    dict(type='RandomResizedCrop', scale=224),
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
