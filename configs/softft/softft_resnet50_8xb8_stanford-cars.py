# Soft fine-tuning on Stanford Cars (196 classes): only the target data
# changes; model, source data, schedule and hook come from the CUB config.
# The class count goes to the top-level `data_preprocessor` (merged with the
# base's mean/std), never to `model.data_preprocessor`, which would hide it.
_base_ = ['./softft_resnet50_8xb8_cub.py']

num_classes = 196
target_root = 'data/stanfordcars'
data_preprocessor = dict(num_classes=num_classes)
model = dict(head=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(
        target=dict(type='StanfordCars', data_root=target_root,
                    split='train')))
val_dataloader = dict(
    dataset=dict(type='StanfordCars', data_root=target_root, split='test'))
test_dataloader = val_dataloader
