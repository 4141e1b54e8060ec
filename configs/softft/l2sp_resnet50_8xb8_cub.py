# L2-SP (Li, Grandvalet & Davoine 2018) on CUB-200-2011:
# plain_resnet50_8xb8_cub.py (same checkpoint, data, batches, schedule)
# with the backbone pulled toward its pre-trained weights and the new head
# decayed by the loss. This REPLACES mmpretrain's weight decay (5e-4): it is
# 0 here and L2SPHook stops training if the optimizer still decays a weight.
# alpha and beta: the paper's values, to be chosen on validation data.
_base_ = ['./plain_resnet50_8xb8_cub.py']
model = dict(
    type='L2SPClassifier', loss=dict(type='L2SPLoss', alpha=0.1, beta=0.01))
optim_wrapper = dict(optimizer=dict(weight_decay=0))
custom_hooks = [dict(type='L2SPHook')]
