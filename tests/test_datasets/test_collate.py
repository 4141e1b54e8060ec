import torch
from mmengine.registry import FUNCTIONS
from mmpretrain.models.utils import ClsDataPreprocessor
from mmpretrain.structures import DataSample

from mmsoftft.datasets import stack_collate


def items(*sizes):
    torch.manual_seed(0)
    return [
        dict(inputs=torch.randint(0, 255, (3, h, w), dtype=torch.uint8),
             data_samples=DataSample(metainfo=dict(domain='target'))
             .set_gt_label(i)) for i, (h, w) in enumerate(sizes)
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


def test_registered_for_configs():
    assert FUNCTIONS.get('stack_collate') is stack_collate
