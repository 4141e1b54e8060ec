"""The shipped ResNet-50 CUB pair is paired as shipped: built by the
Runner from configs/plain_resnet50_cub.py and configs/softft_resnet50_cub.py
(one seed, one worker count in their shared bases), the two train loaders
give the same target batches with the same crops (pixels), over several
batches spread over the four workers and into a second epoch. And the
224 px config of docs/en/usage.md builds a loader of 224 px target and
source images."""
import os.path as osp
import re

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from ..conftest import repo_path

NUM_BATCHES = 6  # per epoch: 12 tiny CUB train images, 2 per batch


def data_options(tiny_data, work_dir, soft):
    """Where the tiny data are; what tools/train.py sets for every config;
    a batch of 2 target images in both (for 6 batches over 4 workers)."""
    options = {
        'work_dir': str(work_dir),
        'train_dataloader.batch_size': 2,
        'train_dataloader.persistent_workers': True,  # train.py's default
        'log_level': 'WARNING',
    }
    if soft:
        options.update({
            'train_dataloader.dataset.source.data_root': tiny_data['source'],
            'train_dataloader.dataset.target.data_root': tiny_data['target'],
        })
    else:
        options['train_dataloader.dataset.data_root'] = tiny_data['target']
    return options


def target_batches(path, options, epochs=2):
    """``[(img_paths, target pixels)]`` of the first batches of the train
    loader the Runner builds (as ``Runner.train`` does, without loading
    the pre-trained weights)."""
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(options)
    runner = Runner.from_cfg(cfg)
    loop = runner.build_train_loop(runner._train_loop)
    loader = loop.dataloader
    assert loader.num_workers == 4
    out = []
    for epoch in range(epochs):
        # what DistSamplerSeedHook does
        sampler = loader.sampler if hasattr(loader.sampler, 'set_epoch') \
            else loader.batch_sampler.sampler
        sampler.set_epoch(epoch)
        for batch in loader:
            samples = batch['data_samples']
            target = [i for i, s in enumerate(samples)
                      if s.get('domain', 'target') == 'target']
            assert target == list(range(len(target)))  # target first
            inputs = batch['inputs']  # a dict: the separate source pass
            pixels = (inputs['target'] if isinstance(inputs, dict) else
                      inputs[:len(target)])
            out.append(([samples[i].img_path for i in target],
                        pixels.clone()))
    del loader, loop  # persistent workers stop with their iterator
    return out


def test_plain_and_soft_see_the_same_target_batches_and_crops(
        tiny_data, tmp_path):
    plain = target_batches(
        repo_path('configs/plain_resnet50_cub.py'),
        data_options(tiny_data, tmp_path / 'plain', soft=False))
    soft = target_batches(
        repo_path('configs/softft_resnet50_cub.py'),
        data_options(tiny_data, tmp_path / 'soft', soft=True))
    assert len(plain) == len(soft) == 2 * NUM_BATCHES
    for b, ((plain_paths, plain_pixels), (soft_paths, soft_pixels)) in \
            enumerate(zip(plain, soft)):
        assert plain_paths == soft_paths, b
        assert plain_pixels.shape == (2, 3, 448, 448)
        assert torch.equal(plain_pixels, soft_pixels), b
    # the crops are random (so equal crops are a finding): the same image
    # gets other crops in the second epoch
    first = {p: x for paths, pixels in plain[:NUM_BATCHES]
             for p, x in zip(paths, pixels)}
    again = [(p, x) for paths, pixels in plain[NUM_BATCHES:]
             for p, x in zip(paths, pixels)]
    assert any(not torch.equal(first[p], x) for p, x in again)


def usage_config(name):
    """The python block of docs/en/usage.md whose first line is
    ``_base_ = [...]`` and that defines ``name``."""
    text = open(repo_path('docs/en/usage.md')).read()
    for block in re.findall(r'```python\n(.*?)```', text, re.S):
        if block.startswith('_base_') and f'\n{name} = ' in block:
            return block
    raise AssertionError(f'no config block defining {name} in usage.md')


def test_usage_224_px_config_builds_a_224_px_loader(tiny_data, tmp_path):
    block = usage_config('source_pipeline').replace(
        "'./softft_resnet50_8xb8_cub.py'",
        repr(repo_path('configs/softft/softft_resnet50_8xb8_cub.py')))
    path = tmp_path / 'softft_224.py'
    path.write_text(block)
    cfg = Config.fromfile(str(path))
    cfg.merge_from_dict({
        **data_options(tiny_data, tmp_path / 'work', soft=True),
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
    })
    assert cfg.train_dataloader.dataset.target.type == 'CUB'
    runner = Runner.from_cfg(cfg)
    batch = next(iter(runner.build_train_loop(runner._train_loop).dataloader))
    domains = [s.domain for s in batch['data_samples']]
    assert domains == ['target'] * 2 + ['source'] * 8
    assert batch['inputs'].shape == (10, 3, 224, 224)
    assert osp.basename(cfg.val_dataloader.dataset.pipeline[-2]['type']) \
        == 'CenterCrop'
    assert cfg.val_dataloader.dataset.pipeline[-2]['crop_size'] == 224
