"""Collate that stacks the images in the loader worker when it can."""
from typing import Sequence

import torch
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.registry import FUNCTIONS

__all__ = ['stack_collate']


@FUNCTIONS.register_module()
def stack_collate(data_batch: Sequence[dict]) -> dict:
    """``default_collate`` when every image has one shape, else
    ``pseudo_collate``.

    Stacking in the worker hands the main process one image tensor per batch
    instead of one per image, so the training step waits less for data
    than with the Runner's default ``pseudo_collate``. mmpretrain's
    ``tools/train.py`` defaults to ``default_collate``, which is the same
    when the shapes agree; pipelines whose images differ in size (no crop to
    a fixed size) fall back to the list here, where ``default_collate``
    would fail inside ``torch.stack``. mmpretrain's ``ClsDataPreprocessor``
    takes either form and gives the same batch.

    Raises:
        ValueError: If the source images and the target images of a batch
            each share one size, but a different one (the two pipelines
            disagree; the smaller images would be zero-padded).

    Use: ``train_dataloader = dict(collate_fn=dict(type='stack_collate'))``.
    """
    inputs = [
        item.get('inputs') if isinstance(item, dict) else None
        for item in data_batch
    ]
    if not all(isinstance(x, torch.Tensor) for x in inputs):
        return pseudo_collate(data_batch)
    if len({x.shape for x in inputs}) == 1:
        return default_collate(data_batch)
    _check_domain_sizes(data_batch)
    return pseudo_collate(data_batch)


def _check_domain_sizes(data_batch: Sequence[dict]) -> None:
    """Refuse a batch whose source and target images each have one size,
    but not the same one: the preprocessor would zero-pad the smaller ones
    to the larger size without a word (a pipeline mismatch, e.g. 224 px
    source crops beside 448 px target crops)."""
    shapes = {}
    for item in data_batch:
        sample = item.get('data_samples')
        domain = getattr(sample, 'metainfo', {}).get('domain')
        shapes.setdefault(domain, set()).add(tuple(item['inputs'].shape))
    if None not in shapes and len(shapes) > 1 and all(
            len(s) == 1 for s in shapes.values()):
        sizes = ', '.join(f'{domain} images {next(iter(s))}'
                          for domain, s in sorted(shapes.items()))
        raise ValueError(
            f'One batch holds {sizes}: source and target images go through '
            'the backbone together, so the source and target pipelines must '
            'give the same size (e.g. crop both to 448 px)')
