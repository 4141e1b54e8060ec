import pytest
import torch
from mmpretrain.models.utils import ClsDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from mmsoftft.datasets import stack_collate
from mmsoftft.models import SourceTargetDataPreprocessor

NORM = dict(mean=[100.0, 110.0, 120.0], std=[10.0, 20.0, 30.0], to_rgb=True)


def items(sizes, domains):
    torch.manual_seed(0)
    return [
        dict(inputs=torch.randint(0, 255, (3, *size), dtype=torch.uint8),
             data_samples=DataSample(metainfo=dict(domain=d)).set_gt_label(
                 i)) for i, (size, d) in enumerate(zip(sizes, domains))
    ]


def normalised(image):
    """What ClsDataPreprocessor does to one image (BGR -> RGB, mean/std)."""
    mean = torch.tensor(NORM['mean']).view(-1, 1, 1)
    std = torch.tensor(NORM['std']).view(-1, 1, 1)
    return (image.flip(0).float() - mean) / std


def test_built_from_mmpretrain_keys():
    pre = MODELS.build(dict(type='SourceTargetDataPreprocessor',
                            num_classes=7, **NORM))
    assert isinstance(pre, ClsDataPreprocessor)
    assert pre.num_classes == 7 and pre.to_rgb
    torch.testing.assert_close(pre.mean.flatten(),
                               torch.tensor(NORM['mean']))


def test_two_sizes_stay_two_unpadded_tensors():
    """stack_collate's two stacks come out normalised at their own sizes:
    no source image padded to the target size (ClsDataPreprocessor would
    pad the list form to 8x8)."""
    domains = ['target', 'target', 'source', 'source', 'source']
    batch = items([(8, 8)] * 2 + [(4, 6)] * 3, domains)
    pre = SourceTargetDataPreprocessor(**NORM)
    out = pre(stack_collate(batch), True)
    target, source = out['inputs']['target'], out['inputs']['source']
    assert target.shape == (2, 3, 8, 8) and source.shape == (3, 3, 4, 6)
    for i in range(2):
        torch.testing.assert_close(target[i], normalised(batch[i]['inputs']))
    for i in range(3):
        torch.testing.assert_close(source[i],
                                   normalised(batch[2 + i]['inputs']))
    assert [s.domain for s in out['data_samples']] == domains
    assert [int(s.gt_label) for s in out['data_samples']] == list(range(5))
    # mmpretrain's own preprocessor pads the same images to one size
    padded = ClsDataPreprocessor(**NORM)(
        dict(inputs=[b['inputs'] for b in batch],
             data_samples=[b['data_samples'] for b in batch]))
    assert padded['inputs'].shape == (5, 3, 8, 8)


def test_a_list_of_two_domains_is_grouped_without_cross_padding():
    """pseudo_collate's list (e.g. the Runner's default collate): grouped by
    domain, each domain padded within itself only, the samples target
    first."""
    domains = ['source', 'target', 'source', 'target']
    batch = items([(4, 6), (8, 8), (4, 4), (8, 8)], domains)
    pre = SourceTargetDataPreprocessor(**NORM)
    out = pre(dict(inputs=[b['inputs'] for b in batch],
                   data_samples=[b['data_samples'] for b in batch]), True)
    target, source = out['inputs']['target'], out['inputs']['source']
    assert target.shape == (2, 3, 8, 8)
    assert source.shape == (2, 3, 4, 6)  # padded to the source maximum
    torch.testing.assert_close(target[1], normalised(batch[3]['inputs']))
    torch.testing.assert_close(source[1][:, :, :4],
                               normalised(batch[2]['inputs']))
    assert torch.all(source[1][:, :, 4:] == 0)
    assert [s.domain for s in out['data_samples']] == ['target'] * 2 + [
        'source'] * 2
    assert [int(s.gt_label) for s in out['data_samples']] == [1, 3, 0, 2]


@pytest.mark.parametrize('collate', ['stack', 'list'])
def test_one_size_or_one_domain_as_mmpretrain(collate):
    """Batches of one size (joint pass, after w = 0, validation) are
    ClsDataPreprocessor's batches, bit for bit."""
    cases = [
        items([(8, 8)] * 4, ['target', 'target', 'source', 'source']),
        items([(8, 8), (6, 8)], ['target', 'target']),
        [dict(inputs=b['inputs'], data_samples=DataSample().set_gt_label(0))
         for b in items([(8, 8)] * 2, ['target'] * 2)],
    ]
    for batch in cases:
        data = (stack_collate(batch) if collate == 'stack' else dict(
            inputs=[b['inputs'] for b in batch],
            data_samples=[b['data_samples'] for b in batch]))
        ours = SourceTargetDataPreprocessor(**NORM)(data, True)
        theirs = ClsDataPreprocessor(**NORM)(data, True)
        assert isinstance(ours['inputs'], torch.Tensor)
        assert torch.equal(ours['inputs'], theirs['inputs'])


def test_bad_dict_inputs_are_named():
    pre = SourceTargetDataPreprocessor(**NORM)
    batch = items([(8, 8), (4, 4)], ['target', 'source'])
    data = stack_collate(batch)
    with pytest.raises(ValueError, match=r"keys 'target' and 'source', but "
                       r"got \['src', 'target'\]"):
        pre(dict(data, inputs=dict(target=data['inputs']['target'],
                                   src=data['inputs']['source'])))
    with pytest.raises(ValueError, match='the 1 target samples followed by '
                       r"the 1 source samples .*\['source', 'target'\]"):
        pre(dict(data, data_samples=data['data_samples'][::-1]))
