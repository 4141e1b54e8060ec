# Joint training of the demo (the non-selective form of Ge & Yu 2017):
# softft_digits.py (same model, data, batches, schedule and checkpoint)
# with the source loss kept at a constant weight, never decayed, so source
# images are drawn until the last iteration.
_base_ = ['./softft_digits.py']
custom_hooks = [
    dict(type='SoftFineTuneHook', start_weight=1.0, shape='constant')
]
