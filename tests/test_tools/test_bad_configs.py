"""Every bad input of the README's Reliability table: a clear error naming
the key, path or value, raised before any training step."""
import os
import shutil

import pytest
import torch
from mmengine.runner import Runner

from ..conftest import BatchRecorder, StepCounter, softft_cfg


def copy_tree(src, dst):
    shutil.copytree(src, dst)
    return str(dst)


def first_image(root, sub):
    for dirpath, _, files in sorted(os.walk(os.path.join(root, sub))):
        for name in sorted(files):
            return os.path.join(dirpath, name)
    raise FileNotFoundError(root)


def bad_source_root(d, tmp):
    d['train_dataloader.dataset.source.data_root'] = str(tmp / 'nope')
    return ValueError, ['Cannot load the source dataset ImageNet',
                        str(tmp / 'nope')]


def bad_target_root(d, tmp):
    d['train_dataloader.dataset.target.data_root'] = str(tmp / 'nope')
    return ValueError, ['Cannot load the target dataset CUB',
                        'images.txt']


def empty_target_root(d, tmp):
    (tmp / 'empty').mkdir()
    d['train_dataloader.dataset.target.data_root'] = str(tmp / 'empty')
    return ValueError, ['Cannot load the target dataset CUB']


def empty_source_root(d, tmp):
    (tmp / 'empty' / 'train').mkdir(parents=True)
    d['train_dataloader.dataset.source.data_root'] = str(tmp / 'empty')
    return ValueError, ['Cannot load the source dataset ImageNet']


def cub_missing_image(d, tmp, data):
    root = copy_tree(data['target'], tmp / 'cub')
    split = dict(line.split() for line in open(f'{root}/train_test_split.txt'))
    names = dict(line.split() for line in open(f'{root}/images.txt'))
    train_id = next(i for i, is_train in split.items() if is_train == '1')
    os.remove(os.path.join(root, 'images', names[train_id]))
    d['train_dataloader.dataset.target.data_root'] = root
    return ValueError, ['1 of 12 checked target images do not exist',
                        'img_0000', 'images.txt']


def imagenet_missing_image(d, tmp, data):
    root = copy_tree(data['source'], tmp / 'imagenet')
    os.remove(first_image(root, 'train'))
    d['train_dataloader.dataset.source.data_root'] = root
    return ValueError, ['1 of 60 checked source images do not exist',
                        'train.txt']


def empty_target_split(d, tmp, data):
    root = copy_tree(data['target'], tmp / 'cub')
    split = os.path.join(root, 'train_test_split.txt')
    lines = [line.split()[0] + ' 0' for line in open(split)]
    open(split, 'w').write('\n'.join(lines) + '\n')  # all test images
    d['train_dataloader.dataset.target.data_root'] = root
    return ValueError, ['The target dataset CUB', 'has no samples']


def empty_source_split(d, tmp, data):
    root = copy_tree(data['source'], tmp / 'imagenet')
    open(os.path.join(root, 'meta', 'train.txt'), 'w').close()
    d['train_dataloader.dataset.source.data_root'] = root
    return ValueError, ['The source dataset ImageNet', 'has no samples']


def source_class_mismatch(d, tmp):
    d['model.source_head.num_classes'] = 7
    return ValueError, ['source_head has 7 classes',
                        "checkpoint's head has 3"]


def no_source_head(d, tmp, data, ckpt):
    state = torch.load(ckpt)['state_dict']
    torch.save(dict(state_dict={k: v for k, v in state.items()
                                if not k.startswith('head.')}),
               tmp / 'backbone_only.pth')
    d['model.backbone.init_cfg.checkpoint'] = str(tmp / 'backbone_only.pth')
    return ValueError, ['no weights for `source_head`', 'head.fc.weight']


def negative_source_batch(d, tmp):
    d['train_dataloader.batch_sampler.source_batch_size'] = -1
    return ValueError, ['`source_batch_size` should be an int >= 0, but got '
                        '-1']


def zero_batch(d, tmp):
    d['train_dataloader.batch_size'] = 0
    return ValueError, ['`batch_size` should be an int >= 1, but got 0']


def no_batch_sampler(d, tmp):
    d['train_dataloader.batch_sampler'] = None
    return TypeError, ['batch_sampler', 'SourceTargetBatchSampler']


def batch_sampler_without_wrapper(d, tmp, data):
    d['train_dataloader.dataset'] = dict(
        type='CUB', data_root=data['target'], split='train',
        pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')])
    return TypeError, ['needs the train dataloader\'s `dataset` to be a '
                       'SourceTargetDataset, but got CUB']


def target_label_outside_head(d, tmp):
    d['model.head.num_classes'] = 2  # the target has 3 classes
    return ValueError, ['The target dataset CUB', 'labels outside [0, 2)',
                        'label 2 of', '`model.head.num_classes` is 2']


def source_label_outside_head(d, tmp, data):
    root = copy_tree(data['source'], tmp / 'imagenet')
    ann = os.path.join(root, 'meta', 'train.txt')
    lines = open(ann).read().splitlines()
    lines[5] = lines[5].rsplit(' ', 1)[0] + ' 7'  # a bad line
    open(ann, 'w').write('\n'.join(lines) + '\n')
    d['train_dataloader.dataset.source.data_root'] = root
    return ValueError, ['The source dataset ImageNet', 'train.txt',
                        '1 labels outside [0, 3)', 'label 7 of',
                        '`model.source_head.num_classes` is 3']


HOOK_CASES = [
    (dict(start_weight=-0.5), '`start_weight` should be >= 0, but got -0.5'),
    (dict(decay_begin=0.6, decay_end=0.4),
     '`decay_end` should be greater than `decay_begin`, but got 0.4 <= 0.6'),
    (dict(shape='sigmoid'), "`shape` should be one of"),
    (dict(decay_end=1.2), 'should be in [0, 1], but got decay_end=1.2'),
    (dict(decay_begin=-0.1), '`decay_begin` should be >= 0, but got -0.1'),
]

CASES = [
    bad_source_root, bad_target_root, empty_target_root, empty_source_root,
    cub_missing_image, imagenet_missing_image, empty_target_split,
    empty_source_split,
    source_class_mismatch, no_source_head, negative_source_batch,
    zero_batch, no_batch_sampler, batch_sampler_without_wrapper,
    target_label_outside_head, source_label_outside_head
]


def train_until_error(cfg, error, words):
    recorder = BatchRecorder()
    with pytest.raises(error) as e:
        runner = Runner.from_cfg(cfg)
        runner.register_hook(recorder)
        runner.train()
    for word in words:
        assert word in str(e.value), (word, str(e.value))
    assert recorder.weights == {}, 'a training step ran'


@pytest.mark.parametrize('case', CASES, ids=lambda c: c.__name__)
def test_bad_input(case, tiny_data, pretrained_ckpt, tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'work',
                     max_epochs=1)
    changes = {}
    args = (changes, tmp_path, tiny_data, pretrained_ckpt)
    nargs = case.__code__.co_argcount
    error, words = case(*args[:nargs])
    for key, value in changes.items():
        if value is None:  # remove the key
            cfg.train_dataloader.pop(key.rpartition('.')[2])
        elif key == 'train_dataloader.dataset':  # replace, not merge
            cfg.train_dataloader.dataset = value
        else:
            cfg.merge_from_dict({key: value})
    train_until_error(cfg, error, words)


@pytest.mark.parametrize('hook_args, words', HOOK_CASES)
def test_bad_schedule(hook_args, words, tiny_data, pretrained_ckpt,
                      tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1,
                     **hook_args)
    train_until_error(cfg, ValueError, [words])


@pytest.mark.parametrize('source_forward', ['joint', 'separate'])
def test_source_images_of_another_size(source_forward, tiny_data,
                                       pretrained_ckpt, tmp_path):
    """24 px source crops beside 32 px target crops: the joint pass refuses
    them at the first forward, naming both sizes, before any update (they
    would be zero-padded into one batch); the separate pass trains on
    them."""
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'work',
                     max_epochs=1)
    cfg.merge_from_dict({
        'model.source_forward': source_forward,
        'train_dataloader.dataset.source.pipeline': [
            dict(type='LoadImageFromFile'), dict(type='Resize', scale=24),
            dict(type='PackInputs')],
    })
    runner = Runner.from_cfg(cfg)
    steps = StepCounter()
    runner.register_hook(steps)
    if source_forward == 'separate':
        runner.train()
        assert steps.steps == 3
        return
    with pytest.raises(ValueError) as e:
        runner.train()
    for words in ('target images (3, 32, 32) and source images (3, 24, 24)',
                  "set `model.source_forward='separate'`"):
        assert words in str(e.value)
    assert steps.steps == 0, 'a training step ran'
