"""Glyph rendering: Pillow's bundled font always, an installed font when
the machine has one (the test is skipped only when none exists)."""
import io

import numpy as np
import pytest
from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageFont

from benchmarks import glyphs
from benchmarks.glyph_fonts import (
    face_count,
    find_font_files,
    font_codepoints,
    font_draws,
    load_font,
)
from benchmarks.glyph_render import glyph_font_size, render_glyph
from benchmarks.glyphs import (
    GLYPH_CANDIDATES,
    GlyphClass,
    load_glyph_fonts,
    render_glyph_images,
    select_glyph_classes,
)


@pytest.fixture(scope='module')
def default_font():
    return ImageFont.load_default(glyph_font_size())


@pytest.fixture(scope='module')
def installed_font():
    """An installed font that draws Latin A and Cyrillic A."""
    try:
        paths = find_font_files()
    except FileNotFoundError:
        pytest.skip('no font files installed')
    for path in paths:
        font = load_font(path, glyph_font_size())
        if all(font_draws(font, 'A\u0410')):
            return font
    pytest.skip('no installed font draws Latin and Cyrillic A')


def test_find_font_files_none(tmp_path):
    (tmp_path / 'readme.txt').write_text('no fonts')
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}.*apt-get'):
        find_font_files(str(tmp_path))


def test_find_font_files_sorted(tmp_path):
    for name in ('b.otf', 'sub/a.TTF', 'c.ttc', 'd.pfb'):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b'')
    found = find_font_files(str(tmp_path))
    assert [p[len(str(tmp_path)) + 1:] for p in found] == [
        'b.otf', 'c.ttc', 'sub/a.TTF'
    ]


def test_font_draws_default_font(default_font):
    # the bundled font has Latin letters only; a space has no ink
    assert font_draws(default_font, ['A', 'z', ' ', '\u4e2d', '\U0010fffd'
                                     ]) == [True, True, False, False, False]
    assert ord('A') in font_codepoints(default_font)
    with pytest.raises(ValueError, match="'ab'"):
        font_draws(default_font, ['ab'])


def test_render_glyph(default_font):
    clean = render_glyph(default_font, 'H')
    assert clean.shape == (28, 28) and clean.dtype == np.uint8
    # white on black, centred: ink in the middle, black corners
    assert clean[10:18, 10:18].max() > 200 and clean[:2, :2].max() == 0
    np.testing.assert_array_equal(clean, render_glyph(default_font, 'H'))
    a = render_glyph(default_font, 'H', np.random.default_rng(3))
    b = render_glyph(default_font, 'H', np.random.default_rng(3))
    c = render_glyph(default_font, 'H', np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(a, clean)
    assert render_glyph(default_font, 'H', size=16).shape == (16, 16)
    with pytest.raises(ValueError, match="no ink for ' '"):
        render_glyph(default_font, ' ')


def test_select_glyph_classes_default_font(default_font):
    classes = select_glyph_classes([default_font], 'AB \u4e2dC',
                                   min_fonts=1, max_similarity=1.0)
    assert [c.char for c in classes] == ['A', 'B', 'C']
    assert all(c.fonts == (0, ) for c in classes)
    assert classes[0].name == 'u0041'
    # every class needs min_fonts fonts: one font is not enough for 2
    assert select_glyph_classes([default_font], 'AB', min_fonts=2) == []
    # a low threshold keeps only the first of similar characters
    assert len(select_glyph_classes([default_font], 'OQ', min_fonts=1,
                                    max_similarity=0.5)) == 1
    with pytest.raises(ValueError, match='`max_similarity`.*got 1.5'):
        select_glyph_classes([default_font], 'A', max_similarity=1.5)
    with pytest.raises(ValueError, match='`min_fonts`.*got 0'):
        select_glyph_classes([default_font], 'A', min_fonts=0)


def test_look_alikes_dropped(installed_font):
    # Latin A and Cyrillic A are one glyph: only the earlier stays
    classes = select_glyph_classes([installed_font], 'A\u0410B',
                                   min_fonts=1)
    assert [c.char for c in classes] == ['A', 'B']


def test_candidates_unique():
    assert len(set(GLYPH_CANDIDATES)) == len(GLYPH_CANDIDATES) > 500


def test_render_glyph_images(default_font):
    fonts = [default_font, default_font]
    classes = [GlyphClass('A', (0, 1)), GlyphClass('B', (0, 1))]
    images, labels = render_glyph_images(fonts, classes, 3, seed=7)
    assert images.shape == (6, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    again, _ = render_glyph_images(fonts, classes, 3, seed=7)
    np.testing.assert_array_equal(images, again)
    # a class's images do not depend on the other classes
    alone, _ = render_glyph_images(fonts, classes[1:], 3, seed=7)
    np.testing.assert_array_equal(alone, images[3:])
    other, _ = render_glyph_images(fonts, classes, 3, seed=8)
    assert not np.array_equal(images, other)
    with pytest.raises(ValueError, match='u0043.*no font'):
        render_glyph_images(fonts, [GlyphClass('C', ())], 1, seed=0)


def test_load_glyph_fonts_faces(tmp_path):
    bundled = ImageFont.load_default().font_bytes
    (tmp_path / 'a.ttf').write_bytes(bundled)
    collection = TTCollection()
    collection.fonts = [TTFont(io.BytesIO(bundled)) for _ in range(2)]
    collection.save(str(tmp_path / 'b.ttc'))
    assert face_count(str(tmp_path / 'b.ttc')) == 2
    assert face_count(str(tmp_path / 'a.ttf')) == 1
    names, fonts = load_glyph_fonts(str(tmp_path))
    assert names == [str(tmp_path / 'a.ttf'), str(tmp_path / 'b.ttc')]
    names, fonts = load_glyph_fonts(str(tmp_path), all_faces=True)
    assert names == [str(tmp_path / 'a.ttf'), f'{tmp_path}/b.ttc#0',
                     f'{tmp_path}/b.ttc#1']
    assert [f.index for f in fonts] == [0, 0, 1]
    assert all(f.size == glyph_font_size() for f in fonts)


def test_load_glyph_fonts_leaves_out_bitmap_fonts(tmp_path, monkeypatch):
    for name in ('a.ttf', 'bitmap.ttf'):
        (tmp_path / name).write_bytes(ImageFont.load_default().font_bytes)
    real = glyphs.load_font

    def refuse_bitmap(path, size, index=0):
        # what FreeType says of a font with fixed sizes only
        if path.endswith('bitmap.ttf'):
            raise OSError('invalid pixel size')
        return real(path, size, index)

    monkeypatch.setattr(glyphs, 'load_font', refuse_bitmap)
    names, fonts = load_glyph_fonts(str(tmp_path), all_faces=True)
    assert names == [str(tmp_path / 'a.ttf')] and len(fonts) == 1
    (tmp_path / 'broken.ttf').write_bytes(b'not a font')
    with pytest.raises(OSError, match='unknown file format'):
        load_glyph_fonts(str(tmp_path))
