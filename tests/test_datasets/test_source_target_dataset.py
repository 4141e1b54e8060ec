import pytest
from mmengine.dataset import BaseDataset
from mmpretrain.structures import DataSample

from mmsoftft.datasets import SourceTargetDataset


class FakeDataset(BaseDataset):
    """Virtual dataset of ``n`` samples (no list is built, so ``n`` can be
    10^8); items record which dataset and index they come from."""

    METAINFO = dict(classes=('a', 'b', 'c'))

    def __init__(self, n, name, lazy_init=False):
        self.n, self.name = n, name
        super().__init__(lazy_init=True)
        if not lazy_init:
            self.full_init()

    def full_init(self):
        self._fully_initialized = True

    def __len__(self):
        return self.n

    def get_data_info(self, idx):
        return dict(gt_label=idx % 3, idx=idx)

    def __getitem__(self, idx):
        sample = DataSample(metainfo=dict(origin=self.name, idx=idx))
        return dict(inputs=None, data_samples=sample.set_gt_label(idx % 3))


def make_dataset(num_target, num_source):
    return SourceTargetDataset(
        source=FakeDataset(num_source, 'source'),
        target=FakeDataset(num_target, 'target'))


def test_layout_of_indices():
    ds = make_dataset(num_target=4, num_source=6)
    item = ds[7]['data_samples']
    assert (item.domain, item.origin, item.idx) == ('source', 'source', 3)
    assert len(ds) == 4
    assert [ds.get_data_info(i)['domain']
            for i in range(10)] == ['target'] * 4 + ['source'] * 6
    assert ds._get_ori_dataset_idx(7) == (1, 3)  # mmengine's index mapping
    assert ds.get_data_info(5) == dict(gt_label=1, idx=1, domain='source')
    with pytest.raises(IndexError, match='index 10 is out of range'):
        ds[10]


def test_real_files_domains_labels_and_metainfo(tiny_data):
    pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
    ds = SourceTargetDataset(
        source=dict(type='ImageNet', data_root=tiny_data['source'],
                    split='train', pipeline=pipeline),
        target=dict(type='CUB', data_root=tiny_data['target'],
                    split='train', pipeline=pipeline))
    assert (ds.num_target, ds.num_source) == (12, 60)
    # the target's class names, not ImageNet's 1000
    assert ds.metainfo['classes'] == ds.target.metainfo['classes']
    assert len(ds.metainfo['classes']) == 200  # CUB's own class names
    target = ds[0]['data_samples']
    source = ds[ds.source_index(59)]['data_samples']
    assert target.domain == 'target' and 'cub' in target.img_path
    assert source.domain == 'source' and 'imagenet' in source.img_path
    # each label stays in its own domain's space
    assert int(source.gt_label) == 2  # 3rd source class (digit 2)
    assert set(int(ds[i]['data_samples'].gt_label) for i in range(12)) == {
        0, 1, 2
    }
    assert ds[0]['inputs'].shape == (3, 32, 32)


def test_lazy_init():
    ds = SourceTargetDataset(
        source=FakeDataset(3, 'source', lazy_init=True),
        target=FakeDataset(2, 'target', lazy_init=True),
        lazy_init=True)
    assert not ds._fully_initialized
    assert ds[1]['data_samples'].domain == 'target'
    assert ds._fully_initialized and len(ds) == 2


def test_empty_target_is_a_clear_error():
    with pytest.raises(ValueError, match='target dataset FakeDataset'):
        make_dataset(num_target=0, num_source=3)
    with pytest.raises(ValueError, match='source dataset'):
        make_dataset(num_target=3, num_source=0)


def test_bad_part_type():
    with pytest.raises(TypeError, match='`source` should be a dataset'):
        SourceTargetDataset(source=[1, 2], target=FakeDataset(2, 't'))


class BrokenImages(FakeDataset):
    """Every sample's image fails to load, as a corrupted file would."""

    def get_data_info(self, idx):
        return dict(gt_label=idx % 3, img_path=f'/broken/{idx}.jpg')

    def __getitem__(self, idx):
        raise OSError(f'Cannot read image /broken/{idx}.jpg')


def test_max_refetch_gives_up_with_an_error():
    ds = SourceTargetDataset(source=FakeDataset(4, 'source'),
                             target=BrokenImages(6, 'target'),
                             check_files=0, max_refetch=2)
    with pytest.raises(RuntimeError, match=r'3 target images in a row failed '
                       r'to load \(max_refetch=2, 6 target images\), the '
                       r'last /broken/'):
        ds[1]
    assert ds[6]['data_samples'].domain == 'source'  # the source is fine
    # no image is tried twice: with fewer images than max_refetch, all of
    # them fail once, then it stops
    ds = SourceTargetDataset(source=FakeDataset(4, 'source'),
                             target=BrokenImages(3, 'target'),
                             check_files=0, max_refetch=10)
    with pytest.raises(RuntimeError, match=r'3 target images in a row'):
        ds[1]


def write_images(root, names, bad):
    """``root/<class>/<name>.jpg`` as real JPEG files, ``bad`` of them
    corrupt (CustomDataset's layout)."""
    from PIL import Image
    for i, name in enumerate(names):
        path = root / 'a' / f'{name}.jpg'
        path.parent.mkdir(parents=True, exist_ok=True)
        if name in bad:
            path.write_bytes(b'not a jpeg')
        else:
            Image.new('RGB', (8, 8), (i * 40, 0, 0)).save(path)


@pytest.mark.parametrize('domain', ['target', 'source'])
@pytest.mark.parametrize('position', [0, 1])
def test_one_corrupt_file_is_skipped_once(domain, position, tmp_path):
    """Two images, one corrupt: fetching it skips it once (one path in
    ``skipped_files``, which SkippedImageHook counts) and returns the other;
    the replacement is never the failed file itself."""
    pipeline = [dict(type='CheckedLoadImageFromFile'),
                dict(type='PackInputs')]
    names = ['0', '1']
    write_images(tmp_path / 'two', names, bad={names[position]})
    write_images(tmp_path / 'good', names, bad=set())
    parts = {
        key: dict(type='CustomDataset', data_root=str(tmp_path / root),
                  with_label=True, pipeline=pipeline)
        for key, root in ((domain, 'two'), ({'target': 'source',
                                             'source': 'target'}[domain],
                                            'good'))
    }
    ds = SourceTargetDataset(**parts)
    idx = position if domain == 'target' else ds.source_index(position)
    bad = str(tmp_path / 'two' / 'a' / f'{names[position]}.jpg')
    good = str(tmp_path / 'two' / 'a' / f'{names[1 - position]}.jpg')
    sample = ds[idx]['data_samples']
    assert sample.domain == domain
    assert sample.skipped_files == [bad]
    assert sample.img_path == good
    # the other index loads as it is
    other = ds[idx + 1 - 2 * position]['data_samples']
    assert other.skipped_files == [] and other.img_path == good


class Paths(FakeDataset):
    """``n`` samples whose image files are ``root/<i>.jpg``."""

    def __init__(self, n, root):
        self.root = root
        super().__init__(n, 'paths')

    def get_data_info(self, idx):
        return dict(gt_label=0, img_path=f'{self.root}/{idx}.jpg')


def test_large_datasets_get_a_sampled_file_check(tmp_path):
    from mmsoftft.datasets.image_file_check import missing_image_files
    for i in range(1, 2999):  # all but the first and the last exist
        (tmp_path / f'{i}.jpg').touch()
    checked, missing = missing_image_files(Paths(3000, tmp_path), 1000)
    # a random 1000 plus the first and last (a wrong root shows at once)
    assert 1000 <= checked <= 1002
    assert missing == [f'{tmp_path}/0.jpg', f'{tmp_path}/2999.jpg']
    checked, missing = missing_image_files(Paths(500, tmp_path), 1000)
    assert checked == 500 and missing == [f'{tmp_path}/0.jpg']


DERIVED = '''
_base_ = ['{base}']
train_dataloader = dict(dataset=dict(target=dict(
    {delete}type='CustomDataset', data_root='{root}', with_label=True)))
'''


@pytest.mark.parametrize('delete', [False, True])
def test_derived_target_without_delete_names_the_key(delete, tmp_path):
    """A derived config that swaps the target's CUB for a CustomDataset
    without `_delete_=True` keeps CUB's `split`: the error names the
    target dataset, its key path and the fix."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS

    from ..conftest import repo_path
    write_images(tmp_path / 'custom', ['0', '1'], bad=set())
    path = tmp_path / 'derived.py'
    path.write_text(DERIVED.format(
        base=repo_path('configs/demo/softft_digits.py'),
        delete='_delete_=True, ' if delete else '',
        root=tmp_path / 'custom'))
    cfg = Config.fromfile(str(path)).train_dataloader.dataset
    cfg.lazy_init = True  # no source data here: only the parts are built
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        if delete:
            ds = DATASETS.build(cfg)
            assert type(ds.target).__name__ == 'CustomDataset'
            return
        with pytest.raises(TypeError) as e:
            DATASETS.build(cfg)
    message = str(e.value)
    assert 'Cannot build the target dataset CustomDataset' in message
    assert '`train_dataloader.dataset.target`' in message
    assert "'split'" in message  # what is left over, and mmengine's reason
    assert '`_delete_=True` in `train_dataloader.dataset.target`' in message


def test_target_items_get_plain_fine_tuning_augmentations(tiny_data):
    """Under one seed, target items 0 and 1 with a source item drawn
    between them are pixel for pixel a plain target dataset's items 0 and
    1: the source pipeline draws on its own stream, the target's on the
    global one, as in plain fine-tuning."""
    import random

    import numpy as np
    import torch
    from mmpretrain.registry import DATASETS
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='RandomCrop', crop_size=32, padding=8),
                dict(type='RandomFlip', prob=0.5),
                dict(type='PackInputs')]
    target = dict(type='CUB', data_root=tiny_data['target'], split='train',
                  pipeline=pipeline)
    source = dict(type='ImageNet', data_root=tiny_data['source'],
                  split='train', pipeline=pipeline)

    def seeded(seed):
        np.random.seed(seed)
        random.seed(seed)

    seeded(0)
    plain = DATASETS.build(target)
    want = [plain[0]['inputs'], plain[1]['inputs']]
    seeded(1)
    assert not torch.equal(plain[0]['inputs'], want[0])  # random crops
    ds = SourceTargetDataset(source=source, target=target)
    seeded(0)
    got = [ds[0]['inputs'], ds[ds.source_index(5)]['inputs'], ds[1]['inputs']]
    assert torch.equal(got[0], want[0])
    assert torch.equal(got[2], want[1])
