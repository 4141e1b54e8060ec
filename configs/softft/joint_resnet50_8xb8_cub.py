# Joint training (the non-selective form of Ge & Yu 2017) on CUB-200-2011:
# softft_resnet50_8xb8_cub.py (same model, ImageNet + CUB data, batches,
# schedule and checkpoint) with the source loss at a constant weight, never
# decayed: 8 ImageNet images (224 px, in the separate source pass) per GPU
# in every batch of the training.
_base_ = ['./softft_resnet50_8xb8_cub.py']
custom_hooks = [
    dict(type='SoftFineTuneHook', start_weight=1.0, shape='constant')
]
