# mmpretrain's CUB-200-2011 data (448 px, 8 images per GPU), every pipeline
# loading with CheckedLoadImageFromFile (an unreadable image names its file).
_base_ = ['mmpretrain::_base_/datasets/cub_bs8_448.py']
load = dict(type='CheckedLoadImageFromFile')
train_pipeline = [
    load,
    dict(type='Resize', scale=600),
    dict(type='RandomCrop', crop_size=448),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    load,
    dict(type='Resize', scale=600),
    dict(type='CenterCrop', crop_size=448),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    # the same for plain and soft fine-tuning (the soft loader reads twice
    # the images while w > 0): mmengine seeds worker i with seed + i and
    # batch b goes to worker b % num_workers, so another count would give
    # the same target batch other crops
    num_workers=4,
    dataset=dict(pipeline=train_pipeline),
    # one stacked image tensor per batch from the workers (mmsoftft)
    collate_fn=dict(type='stack_collate'))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
