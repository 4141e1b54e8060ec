# Soft fine-tuning on Stanford Cars (196 classes): only the target data
# changes; model, source data, schedule and hook come from the CUB config.
_base_ = ['./softft_resnet50_cub.py']

num_classes = 196
target_root = 'data/stanfordcars'
model = dict(
    head=dict(num_classes=num_classes),
    data_preprocessor=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(
        target=dict(type='StanfordCars', data_root=target_root,
                    split='train')))
val_dataloader = dict(
    dataset=dict(type='StanfordCars', data_root=target_root, split='test'))
test_dataloader = val_dataloader
