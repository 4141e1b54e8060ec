# Soft fine-tuning on FGVC-Aircraft (100 variants): only the target data
# changes; model, source data, schedule and hook come from the CUB config.
# The class count goes to the top-level `data_preprocessor` (merged with the
# base's mean/std), never to `model.data_preprocessor`, which would hide it.
_base_ = ['./softft_resnet50_8xb8_cub.py']

num_classes = 100
target_root = 'data/fgvc_aircraft'
data_preprocessor = dict(num_classes=num_classes)
model = dict(head=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(
        target=dict(
            type='FGVCAircraft', data_root=target_root, split='trainval')))
val_dataloader = dict(
    dataset=dict(type='FGVCAircraft', data_root=target_root, split='test'))
test_dataloader = val_dataloader
