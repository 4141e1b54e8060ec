"""Tasks written from tiny Fashion-MNIST files, scikit-learn's digits and
glyphs of Pillow's bundled font, read back by mmpretrain's datasets."""
import os

import mmcv
import numpy as np
import pytest
from mmpretrain.datasets import CUB, ImageNet
from PIL import ImageFont

from benchmarks.pools import DEFAULT_GLYPH_CLASSES, glyph_pool, to_rgb
from benchmarks.tasks import (
    TASKS,
    TaskSpec,
    load_pools,
    source_classes,
    write_probe,
    write_source,
    write_target,
)

from .conftest import TEST_PER_CLASS


@pytest.fixture(scope='module')
def pools(fashion_dir, tmp_path_factory):
    fonts = tmp_path_factory.mktemp('fonts')
    (fonts / 'bundled.ttf').write_bytes(ImageFont.load_default().font_bytes)
    out = load_pools(['cross'], fashion_root=fashion_dir)
    out['glyphs'] = glyph_pool(num_classes=6, train_per_class=4,
                               test_per_class=2, font_root=str(fonts),
                               min_fonts=1)
    return out


def images_of(dataset):
    return [mmcv.imread(dataset.get_data_info(i)['img_path'])
            for i in range(len(dataset))]


def labels_of(dataset):
    return [int(dataset.get_data_info(i)['gt_label'])
            for i in range(len(dataset))]


def test_tasks_keep_classes_apart(pools):
    for name, spec in TASKS.items():
        groups = [(spec.source, spec.source_classes or ()),
                  (spec.target, spec.target_classes or ()),
                  (spec.probe, spec.probe_classes or ())]
        seen = set()
        for pool, classes in groups:
            if pool in ('fashion', 'digits'):
                assert set(classes) <= set(pools[pool].class_names), name
            assert not seen & {(pool, c) for c in classes}, name
            seen |= {(pool, c) for c in classes}


@pytest.fixture(scope='module')
def all_glyphs(tmp_path_factory):
    """Every usable character of Pillow's bundled font, digits included."""
    fonts = tmp_path_factory.mktemp('bundled')
    (fonts / 'bundled.ttf').write_bytes(ImageFont.load_default().font_bytes)
    return glyph_pool(train_per_class=1, test_per_class=1,
                      font_root=str(fonts), min_fonts=1)


def test_probe_class_never_a_source_class(pools, all_glyphs, monkeypatch,
                                          tmp_path):
    pools = dict(pools, glyphs=all_glyphs)
    # (its 8 is a look-alike of an earlier character, so not a class)
    assert {'u0030', 'u0033'} <= set(all_glyphs.class_names)
    assert all_glyphs.depictions()[:3] == ('0', '1', '2')
    assert pools['digits'].depictions()[3] == '3'
    # the glyph 3 depicts a probe digit: out of the source
    names = source_classes('glyphs_digits', pools)
    assert set(all_glyphs.class_names) - set(names) == {'u0033'}
    assert write_source('glyphs_digits', pools, str(tmp_path),
                        max_per_class=1)['class_names'] == names
    # within one pool as before
    monkeypatch.setitem(TASKS, 'same_pool', TaskSpec(
        'fashion', None, 'digits', ('digit0', ), 'fashion', ('pullover', )))
    assert len(source_classes('same_pool', pools)) == 9
    assert 'pullover' not in source_classes('same_pool', pools)
    # a named source class that depicts a probe class is refused
    monkeypatch.setitem(TASKS, 'clash', TaskSpec(
        'glyphs', ('u0030', 'u0033'), 'fashion', ('bag', ), 'digits',
        ('digit3', )))
    with pytest.raises(ValueError, match=r"'clash'.*\['u0033'\] depict"):
        source_classes('clash', pools)


def test_glyph_pool_default_fits_the_fonts(all_glyphs, tmp_path):
    # the bundled font draws fewer usable characters than the default
    assert 10 < len(all_glyphs.class_names) < DEFAULT_GLYPH_CLASSES
    (tmp_path / 'f.ttf').write_bytes(ImageFont.load_default().font_bytes)
    n = len(all_glyphs.class_names)
    with pytest.raises(ValueError, match=rf'--glyph-classes.*1-{n}: the '
                       rf'fonts.*draw {n} usable.*got {n + 1}'):
        glyph_pool(num_classes=n + 1, font_root=str(tmp_path), min_fonts=1)


def test_load_pools(fashion_dir):
    assert set(load_pools(['far'], fashion_root=fashion_dir)) == {'fashion'}
    with pytest.raises(ValueError, match="unknown task 'nowhere'"):
        load_pools(['nowhere'])


def test_write_source(pools, tmp_path):
    out = write_source('far', pools, str(tmp_path), max_per_class=7)
    assert out['class_names'] == ('tshirt_top', 'trouser', 'dress', 'coat')
    dataset = ImageNet(data_root=str(tmp_path), split='train', pipeline=[])
    assert sorted(labels_of(dataset)) == sorted([0, 1, 2, 3] * 7)
    images = images_of(dataset)
    assert images[0].shape == (32, 32, 3)
    assert max(im.mean() for im in images) < 100  # from the train part
    # cross: all ten Fashion-MNIST classes; glyphs: every glyph class but
    # the probe's digits (this sample holds the glyph 3)
    assert len(write_source('cross', pools, str(tmp_path / 'c'))
               ['class_names']) == 10
    glyphs = write_source('glyphs_digits', pools, str(tmp_path / 'g'))
    assert 'u0033' in pools['glyphs'].class_names
    assert glyphs['class_names'] == tuple(
        n for n in pools['glyphs'].class_names if n != 'u0033')


def test_write_probe(pools, tmp_path):
    out = write_probe('far', pools, str(tmp_path))
    assert out['class_names'] == ('pullover', 'shirt')
    test = CUB(data_root=str(tmp_path), split='test', pipeline=[])
    assert sorted(labels_of(test)) == [0] * TEST_PER_CLASS + [1] * 12
    split = (tmp_path / 'train_test_split.txt').read_text().split()
    assert set(split[1::2]) == {'0'}  # no train image
    digits = write_probe('cross', pools, str(tmp_path / 'd'),
                         max_per_class=10)
    assert digits['class_names'] == ('digit3', 'digit8')


def test_write_target(pools, tmp_path):
    out = write_target('far', 'fewshot5', 0, pools, str(tmp_path),
                       val_per_class=5)
    assert out['train_counts'] == [5, 5, 5, 5] and out['noisy'] == 0
    train = CUB(data_root=out['target'], split='train', pipeline=[])
    test = CUB(data_root=out['target'], split='test', pipeline=[])
    val = CUB(data_root=out['val'], split='test', pipeline=[])
    assert sorted(labels_of(train)) == sorted([0, 1, 2, 3] * 5)
    # every held-out test image of the target classes
    assert sorted(labels_of(test)) == sorted([0, 1, 2, 3] * TEST_PER_CLASS)
    assert sorted(labels_of(val)) == sorted([0, 1, 2, 3] * 5)
    # validation comes from the train part (dark images), never the test
    assert max(im.mean() for im in images_of(val)) < 100
    assert max(im.mean() for im in images_of(train)) < 100
    assert min(im.mean() for im in images_of(test)) > 120
    # sandal (label 5 in Fashion-MNIST) is target class 0
    first = images_of(test)[labels_of(test).index(0)]
    assert 130 + 5 * 5 - 3 < first.mean() < 130 + 5 * 5 + 6


def test_write_target_noisy_and_seeds(pools, tmp_path):
    out = write_target('cross', 'noisy', 3, pools, str(tmp_path / 'a'),
                       val_per_class=5, max_train_per_class=20)
    assert out['train_counts'] == [20] * 8
    assert out['noisy'] == round(0.3 * 160)
    again = write_target('cross', 'noisy', 3, pools, str(tmp_path / 'b'),
                         val_per_class=5, max_train_per_class=20)
    other = write_target('cross', 'noisy', 4, pools, str(tmp_path / 'c'),
                         val_per_class=5, max_train_per_class=20)

    def listing(root):
        return [open(os.path.join(root, name)).read() for name in
                ('images.txt', 'image_class_labels.txt',
                 'train_test_split.txt')]

    assert listing(out['target']) == listing(again['target'])
    assert listing(out['val']) == listing(again['val'])
    assert listing(out['target']) != listing(other['target'])


def test_write_target_bad_input(pools, tmp_path):
    with pytest.raises(ValueError, match="unknown condition 'fewshot3'"):
        write_target('far', 'fewshot3', 0, pools, str(tmp_path))
    with pytest.raises(ValueError, match='class 0 has 30.*20 validation'):
        write_target('far', 'fewshot20', 0, pools, str(tmp_path))


def test_glyph_pool(pools, tmp_path):
    glyphs = pools['glyphs']
    assert len(glyphs.class_names) == 6
    assert all(n.startswith('u') for n in glyphs.class_names)
    assert glyphs.train_images.shape == (24, 28, 28)
    assert glyphs.test_images.shape == (12, 28, 28)
    assert not np.array_equal(glyphs.train_images[:2], glyphs.test_images[:2])
    assert glyphs.depictions() == tuple(chr(int(n[1:], 16))
                                        for n in glyphs.class_names)


def test_to_rgb():
    grey = np.arange(28 * 28, dtype=np.uint8).reshape(1, 28, 28)
    rgb = to_rgb(grey)
    assert rgb.shape == (1, 32, 32, 3)
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 2])
    with pytest.raises(ValueError, match=r'\(N, H, W\).*\(2, 2\)'):
        to_rgb(np.zeros((2, 2), np.uint8))
