# LP-FT on the demo (Kumar et al. 2022): finetune_digits.py (same data,
# batches, schedule and checkpoint), the first tenth of the training a
# linear probe (only the new head trains; backbone and its BatchNorm
# statistics frozen), then fine-tuning of every weight.
_base_ = ['./finetune_digits.py']
# LPFTClassifier: ImageClassifier's keys and checkpoints; it refuses to
# train without LinearProbeHook, which does the probe.
model = dict(type='LPFTClassifier')
custom_hooks = [dict(type='LinearProbeHook', probe_end=0.1, unit='fraction')]
# The probe's frozen weights get no gradient, which DDP accepts with
# find_unused_parameters=True (LinearProbeHook stops training without it).
find_unused_parameters = True
