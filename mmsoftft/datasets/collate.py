"""Collate that stacks the images in the loader worker when it can."""
from typing import Optional, Sequence

import torch
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.registry import FUNCTIONS

__all__ = ['stack_collate']

DOMAINS = ('target', 'source')


@FUNCTIONS.register_module()
def stack_collate(data_batch: Sequence[dict]) -> dict:
    """``default_collate`` when every image has one shape; one stacked
    tensor per domain when the target images share one shape and the source
    images another; else ``pseudo_collate``.

    Stacking in the worker hands the main process one image tensor per batch
    instead of one per image, so the training step waits less for data
    than with the Runner's default ``pseudo_collate``. mmpretrain's
    ``tools/train.py`` defaults to ``default_collate``, which is the same
    when the shapes agree; pipelines whose images differ in size (no crop to
    a fixed size) fall back to the list here, where ``default_collate``
    would fail inside ``torch.stack``. mmpretrain's ``ClsDataPreprocessor``
    takes either form and gives the same batch.

    A soft fine-tuning batch whose source pipeline crops to another size than
    the target pipeline (e.g. 224 px ImageNet crops beside 448 px target
    crops, for ``model.source_forward='separate'``) gives
    ``inputs=dict(target=Tensor, source=Tensor)``, each stacked at its own
    size (never padded to the other), and ``data_samples`` the target
    samples followed by the source samples.
    :class:`SourceTargetDataPreprocessor` normalises each part; the joint
    pass (``source_forward='joint'``) refuses the two sizes, naming them.

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
    groups = _domain_groups(data_batch)
    if groups is None:
        return pseudo_collate(data_batch)
    out = pseudo_collate(groups['target'] + groups['source'])
    out['inputs'] = {
        domain: torch.stack([item['inputs'] for item in groups[domain]])
        for domain in DOMAINS
    }
    return out


def _domain_groups(data_batch: Sequence[dict]) -> Optional[dict]:
    """``{'target': items, 'source': items}`` (batch order kept within a
    domain) if the batch holds exactly these two domains and each domain's
    images share one shape; else None."""
    groups, shapes = {}, {}
    for item in data_batch:
        sample = item.get('data_samples')
        domain = getattr(sample, 'metainfo', {}).get('domain')
        groups.setdefault(domain, []).append(item)
        shapes.setdefault(domain, set()).add(tuple(item['inputs'].shape))
    if set(groups) != set(DOMAINS) or any(len(s) > 1
                                         for s in shapes.values()):
        return None
    return groups
