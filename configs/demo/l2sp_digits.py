# L2-SP fine-tuning of the demo (Li, Grandvalet & Davoine 2018):
# finetune_digits.py (same data, batches, schedule and checkpoint) with the
# backbone pulled toward its pre-trained weights and the new head decayed
# by the loss. This REPLACES the optimizer's weight decay: it is 0 here and
# L2SPHook stops training if the optimizer still decays a weight.
_base_ = ['./finetune_digits.py']
model = dict(
    type='L2SPClassifier', loss=dict(type='L2SPLoss', alpha=0.1, beta=0.01))
optim_wrapper = dict(optimizer=dict(weight_decay=0))
custom_hooks = [dict(type='L2SPHook')]
