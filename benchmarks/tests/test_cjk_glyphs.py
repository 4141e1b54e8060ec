"""The CJK pools and the glyphs_cjk task, on stand-in TrueType fonts that
draw 60 ideographs (no CJK font package needed)."""
import numpy as np
import pytest
from mmpretrain.datasets import CUB, ImageNet

from benchmarks.cjk_glyphs import CJK_FIRST, CJK_LAST, CJKGlyphs
from benchmarks.glyph_fonts import font_draws
from benchmarks.glyphs import load_glyph_fonts
from benchmarks.quick_data import write_quick_cjk_fonts
from benchmarks.source_models import LazyPools
from benchmarks.tasks import (
    load_pools,
    source_classes,
    write_probe,
    write_source,
    write_target,
)

SMALL = dict(source_classes=12, target_classes=4, probe_classes=3,
             source_per_class=3, source_test_per_class=2,
             target_per_class=8, target_test_per_class=3, probe_per_class=4,
             size=16, min_fonts=2)


@pytest.fixture(scope='module')
def font_root(tmp_path_factory):
    return write_quick_cjk_fonts(str(tmp_path_factory.mktemp('cjk_fonts')))


def test_stand_in_fonts(font_root):
    names, fonts = load_glyph_fonts(font_root)
    assert len(fonts) == 3
    chars = [chr(c) for c in range(CJK_FIRST, CJK_LAST + 1)]
    drawn = [c for c, d in zip(chars, font_draws(fonts[0], chars)) if d]
    assert len(drawn) == 60
    assert all(font_draws(f, drawn) == [True] * 60 for f in fonts[1:])


def test_roles_are_disjoint(font_root):
    cjk = CJKGlyphs(**SMALL, font_root=font_root)
    classes = cjk.classes()
    chars = {role: [c.char for c in v] for role, v in classes.items()}
    assert [len(chars[r]) for r in ('source', 'target', 'probe')] == \
        [12, 4, 3]
    every = sum(chars.values(), [])
    assert len(set(every)) == 19
    assert all(CJK_FIRST <= ord(c) <= CJK_LAST for c in every)
    assert all(len(c.fonts) == 3 for v in classes.values() for c in v)
    source = cjk.pool('source')
    assert source.train_images.shape == (36, 16, 16)
    assert source.test_images.shape == (24, 16, 16)
    assert source.train_labels.tolist() == np.repeat(range(12), 3).tolist()
    assert source.depictions() == tuple(chars['source'])
    assert source.class_names[0] == f'u{ord(chars["source"][0]):04X}'
    probe = cjk.pool('probe')
    assert probe.train_images.shape == (0, 16, 16)
    assert probe.test_images.shape == (12, 16, 16)
    assert cjk.pool('target').train_images.shape == (32, 16, 16)
    # another seed samples other characters
    other = CJKGlyphs(**SMALL, font_root=font_root, seed=1).classes()
    assert [c.char for c in other['source']] != chars['source']
    with pytest.raises(ValueError, match="`role` should be one of"):
        cjk.pool('val')


def test_cache(font_root, tmp_path, monkeypatch):
    cjk = CJKGlyphs(**SMALL, font_root=font_root, cache_dir=str(tmp_path))
    drawn = cjk.pool('target')
    assert len(list(tmp_path.glob('cjk_target_*.npz'))) == 1

    def no_drawing(self, role):
        raise AssertionError('drawn again')

    monkeypatch.setattr(CJKGlyphs, '_render', no_drawing)
    again = CJKGlyphs(**SMALL, font_root=font_root,
                      cache_dir=str(tmp_path)).pool('target')
    for a, b in zip(drawn, again):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    # other settings: another file
    with pytest.raises(AssertionError, match='drawn again'):
        CJKGlyphs(**dict(SMALL, size=20), font_root=font_root,
                  cache_dir=str(tmp_path)).pool('target')


def test_bad_options(font_root):
    with pytest.raises(ValueError, match='draw 60 usable.*fewer than the '
                       '1090.*apt-get install fonts-noto-cjk'):
        CJKGlyphs(font_root=font_root).classes()
    with pytest.raises(ValueError, match='`target_classes`.*got 0'):
        CJKGlyphs(target_classes=0)
    with pytest.raises(ValueError, match='`size`.*got 1.5'):
        CJKGlyphs(size=1.5)
    with pytest.raises(ValueError, match='`probe_per_class` should be >= 2'):
        CJKGlyphs(probe_per_class=1)


def test_glyphs_cjk_task(font_root, tmp_path):
    options = dict(SMALL, font_root=font_root)
    pools = load_pools(['glyphs_cjk'], cjk_options=options)
    assert set(pools) == {'cjk_source', 'cjk_target', 'cjk_probe'}
    lazy = LazyPools(cjk_options=options)
    np.testing.assert_array_equal(lazy['cjk_probe'].test_images,
                                  pools['cjk_probe'].test_images)
    assert source_classes('glyphs_cjk', pools) == \
        pools['cjk_source'].class_names
    source = write_source('glyphs_cjk', pools, str(tmp_path / 'source'))
    data = ImageNet(data_root=source['root'], split='train', pipeline=[])
    assert len(data) == 12 * 3 and len(source['class_names']) == 12
    assert data.get_data_info(0)['img_path'].endswith('.JPEG')
    probe = write_probe('glyphs_cjk', pools, str(tmp_path / 'probe'))
    assert probe['class_names'] == pools['cjk_probe'].class_names
    assert len(CUB(data_root=probe['root'], split='test', pipeline=[])) == 12
    cell = write_target('glyphs_cjk', 'fewshot5', 0, pools,
                        str(tmp_path / 'cell'), val_per_class=2)
    assert cell['class_names'] == pools['cjk_target'].class_names
    assert cell['train_counts'] == [5] * 4
    test = CUB(data_root=cell['target'], split='test', pipeline=[])
    assert len(test) == 4 * 3
    seen = set(source['class_names']) | set(probe['class_names'])
    assert not seen & set(cell['class_names'])


def test_source_does_not_depend_on_the_target(font_root):
    a = CJKGlyphs(**SMALL, font_root=font_root)
    b = CJKGlyphs(**dict(SMALL, target_classes=6, probe_per_class=5),
                  font_root=font_root)
    assert a.settings('source') == b.settings('source')
    assert a.settings('target') != b.settings('target')
    assert a.settings('probe') != b.settings('probe')
    assert a.settings() != b.settings()
    assert [c.char for c in a.classes()['source']] == \
        [c.char for c in b.classes()['source']]
    np.testing.assert_array_equal(a.pool('source').train_images,
                                  b.pool('source').train_images)
    # the probe comes after the target: other target, other probe
    assert a.classes()['probe'] != b.classes()['probe']
    with pytest.raises(ValueError, match="`role` should be one of"):
        a.settings('val')


def test_target_size(font_root):
    plain = CJKGlyphs(**SMALL, font_root=font_root)
    blurred = CJKGlyphs(**SMALL, font_root=font_root, target_size=8)
    assert blurred.pool('target').train_images.shape == (32, 8, 8)
    assert blurred.pool('probe').test_images.shape == (12, 16, 16)
    assert blurred.settings('source') == plain.settings('source')
    assert blurred.settings('target') != plain.settings('target')
    np.testing.assert_array_equal(blurred.pool('source').test_images,
                                  plain.pool('source').test_images)
    with pytest.raises(ValueError, match='`target_size`.*got 0'):
        CJKGlyphs(target_size=0)
