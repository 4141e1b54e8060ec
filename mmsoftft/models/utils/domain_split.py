"""Split a soft fine-tuning batch into its target and source parts."""
from typing import List, Mapping

import torch
from mmpretrain.structures import DataSample

__all__ = ['joint_inputs', 'split_domain_dict', 'split_domains']


def split_domains(feats, data_samples: List[DataSample]) -> tuple:
    """``((target_feats, target_samples), (source_feats, source_samples))``
    of one batch, the source part None without source samples.

    :class:`SourceTargetBatchSampler` puts the target samples first, so the
    parts are usually contiguous: then the features are views (no copy, and
    a cheaper backward than a gather); otherwise boolean masks select them.

    Args:
        feats (Tensor | tuple[Tensor]): Images or features, batch first.
        data_samples (list[DataSample]): Samples with ``domain``.

    Raises:
        ValueError: If a sample has no ``domain`` ("source"/"target").
    """
    is_source = []
    for sample in data_samples:
        domain = sample.get('domain')  # metainfo, without copying it
        if domain not in ('source', 'target'):
            raise ValueError(
                'SoftFineTuneClassifier needs every training sample to '
                'carry `domain` ("source"/"target"): train it on a '
                f'SourceTargetDataset, but got domain={domain!r}')
        is_source.append(domain == 'source')
    num_target = len(is_source) - sum(is_source)
    if not any(is_source[:num_target]):
        parts = [slice(0, num_target), slice(num_target, None)]
    else:
        last = feats[-1] if isinstance(feats, (tuple, list)) else feats
        mask = torch.tensor(is_source, device=last.device)
        parts = [~mask, mask]
    samples = ([s for s in data_samples if s.get('domain') == domain]
               for domain in ('target', 'source'))
    target, source = ((_select(feats, part), group)
                      for part, group in zip(parts, samples))
    return target, (source if num_target < len(is_source) else None)


def split_domain_dict(inputs: Mapping,
                      data_samples: List[DataSample]) -> tuple:
    """``((target, samples), (source, samples))`` of
    ``dict(target=..., source=...)`` inputs, whose samples are the target
    ones followed by the source ones.

    Raises:
        ValueError: If the samples' domains are not in that order.
    """
    num_target = len(inputs['target'])
    domains = [s.get('domain') for s in data_samples]
    if domains != ['target'] * num_target + ['source'] * len(
            inputs['source']):
        raise ValueError(
            'With dict inputs the data samples must be the '
            f'{num_target} target samples followed by the source '
            f'samples, but their domains are {domains}')
    return ((inputs['target'], data_samples[:num_target]),
            (inputs['source'], data_samples[num_target:]))


def joint_inputs(inputs, data_samples: List[DataSample]) -> torch.Tensor:
    """One batch of all images for the joint pass: dict inputs (target,
    then source) are concatenated.

    Raises:
        ValueError: If the two domains' images differ in size.
    """
    if not isinstance(inputs, Mapping):
        return inputs
    (target, _), (source, _) = split_domain_dict(inputs, data_samples)
    if target.shape[1:] != source.shape[1:]:
        raise ValueError(
            f'One batch holds target images {tuple(target.shape[1:])} '
            f'and source images {tuple(source.shape[1:])}: with '
            "source_forward='joint' they go through the backbone "
            'together, so the source and target pipelines must give '
            'one size (e.g. crop both to 448 px); or set '
            "`model.source_forward='separate'` to forward the source "
            'images in a pass of their own, at their own size')
    return torch.cat([target, source])


def _select(feats, part):
    if isinstance(feats, (tuple, list)):
        return type(feats)(f[part] for f in feats)
    return feats[part]
