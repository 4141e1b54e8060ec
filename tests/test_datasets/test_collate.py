import torch
from mmengine.registry import FUNCTIONS
from mmpretrain.models.utils import ClsDataPreprocessor
from mmpretrain.structures import DataSample

from mmsoftft.datasets import stack_collate


def items(*sizes, domains=None):
    torch.manual_seed(0)
    domains = domains or ['target'] * len(sizes)
    return [
        dict(inputs=torch.randint(0, 255, (3, h, w), dtype=torch.uint8),
             data_samples=DataSample(metainfo=dict(domain=d))
             .set_gt_label(i)) for i, ((h, w), d) in enumerate(
                 zip(sizes, domains))
    ]


def test_same_shapes_are_stacked_and_preprocess_alike():
    batch = items((8, 8), (8, 8), (8, 8))
    stacked = stack_collate(batch)
    assert isinstance(stacked['inputs'], torch.Tensor)
    assert stacked['inputs'].shape == (3, 3, 8, 8)
    assert [s.metainfo['domain'] for s in stacked['data_samples']
            ] == ['target'] * 3
    listed = FUNCTIONS.get('pseudo_collate')(batch)
    assert isinstance(listed['inputs'], list)
    pre = ClsDataPreprocessor(mean=[127.5] * 3, std=[127.5] * 3, to_rgb=True)
    a, b = pre(stacked, True), pre(listed, True)
    assert torch.equal(a['inputs'], b['inputs'])
    assert [int(s.gt_label) for s in a['data_samples']] == [0, 1, 2]


def test_different_shapes_fall_back_to_a_list():
    out = stack_collate(items((8, 8), (8, 6)))
    assert isinstance(out['inputs'], list)
    assert [tuple(x.shape) for x in out['inputs']] == [(3, 8, 8), (3, 8, 6)]


def test_source_and_target_of_different_sizes_are_stacked_apart():
    """For the separate source pass: one tensor per domain at its own size
    (no padding), the samples target first."""
    batch = items((8, 8), (6, 6), (8, 8), (6, 6), (6, 6),
                  domains=['target', 'source', 'target', 'source',
                           'source'])
    out = stack_collate(batch)
    assert set(out['inputs']) == {'target', 'source'}
    target, source = out['inputs']['target'], out['inputs']['source']
    assert target.shape == (2, 3, 8, 8) and source.shape == (3, 3, 6, 6)
    # each image is its own item's pixels, in batch order within a domain
    assert torch.equal(target[1], batch[2]['inputs'])
    assert torch.equal(source[0], batch[1]['inputs'])
    assert torch.equal(source[2], batch[4]['inputs'])
    assert [s.metainfo['domain'] for s in out['data_samples']] == [
        'target'] * 2 + ['source'] * 3
    assert [int(s.gt_label) for s in out['data_samples']] == [0, 2, 1, 3, 4]


def test_variable_sizes_within_a_domain_fall_back_to_a_list():
    out = stack_collate(items((8, 8), (8, 6), (6, 6),
                              domains=['target', 'target', 'source']))
    assert isinstance(out['inputs'], list)


def test_registered_for_configs():
    assert FUNCTIONS.get('stack_collate') is stack_collate
