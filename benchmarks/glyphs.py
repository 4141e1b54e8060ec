"""A many-class image source: characters drawn from installed fonts.

Each class is one character (Latin, Greek, Cyrillic, Armenian, Hebrew,
Devanagari, Thai, Georgian, symbols, kana, Hangul, CJK ideographs; see
``GLYPH_CANDIDATES``) drawn by every installed font that has it, each
image in a random font with a random affine map and noise, 28x28
greyscale like Fashion-MNIST. Characters fewer than ``min_fonts`` fonts
draw, and characters that look like an earlier one (Latin ``A`` / Greek
``Α``), are left out, so every class is drawable and distinguishable.
"""
from typing import List, NamedTuple, Sequence, Tuple

import numpy as np
from PIL import ImageFont

from .glyph_fonts import (
    FONT_DIR,
    face_count,
    find_font_files,
    font_draws,
    load_font,
)
from .glyph_render import GLYPH_SIZE, glyph_font_size, render_glyph

__all__ = [
    'GLYPH_CANDIDATES', 'GlyphClass', 'load_glyph_fonts',
    'select_glyph_classes', 'render_glyph_images'
]


def _span(first: int, last: int, skip: str = '') -> str:
    return ''.join(
        chr(c) for c in range(first, last + 1) if chr(c) not in skip)


_DIGITS_LATIN = '0123456789' + _span(0x41, 0x5A) + _span(0x61, 0x7A)
# U+03A2 is unassigned; final sigma looks like Latin s
_GREEK = _span(0x391, 0x3A9, '\u03a2') + _span(0x3B1, 0x3C9, '\u03c2')
_CYRILLIC = _span(0x410, 0x44F)
_ARMENIAN = _span(0x531, 0x556) + _span(0x561, 0x586)
_HEBREW = _span(0x5D0, 0x5EA)
_DEVANAGARI = _span(0x905, 0x914) + _span(0x915, 0x939)
_THAI = _span(0xE01, 0xE2E)
_GEORGIAN = _span(0x10D0, 0x10FA)
_SYMBOLS = ('!#$%&*+/<=>?@[]{}()~^\\|§¶©®°±µ×÷¿¡£¥€¢'
            '∀∂∃∅∇∈∉∑∏√∞∠∧∨∩∪∫≈≠≡≤≥⊂⊃⊕⊗'
            '←↑→↓↔↕⇐⇒■□▲△▼▽◆◇○●★☆♠♣♥♦♪♫☀☂☎☺♀♂⚓✓✗✿❄')
_HIRAGANA = ('あいうえおかきくけこさしすせそたちつてとなにぬねの'
             'はひふへほまみむめもやゆよらりるれろわをん')
_KATAKANA = ('アイウエオカキクケコサシスセソタチツテトナニヌネノ'
             'ハヒフヘホマミムメモヤユヨラリルレロワヲン')
_HANGUL = '가나다라마바사아자차카타파하'
_IDEOGRAPHS = ('一二三四五六七八九十百千万円人大小中山川日月火水木金土口目耳'
               '手足心上下左右本田力刀工王玉石竹糸虫貝車雨雪電気天空花草林森'
               '村町市夕名字学校先生年早白赤青黒色音楽犬牛馬鳥魚羊米父母子女'
               '男兄弟休体出入立見言話語読書走止正文門間東西南北春夏秋冬朝昼夜')

# In priority order: of two look-alikes (Latin A, Greek Alpha, Cyrillic A;
# katakana ro and the ideograph for mouth) the earlier one is kept.
GLYPH_CANDIDATES = ''.join(
    (_DIGITS_LATIN, _GREEK, _CYRILLIC, _ARMENIAN, _HEBREW, _DEVANAGARI,
     _THAI, _GEORGIAN, _SYMBOLS, _HIRAGANA, _KATAKANA, _HANGUL, _IDEOGRAPHS))


class GlyphClass(NamedTuple):
    """A class: its character and the indices of the fonts that draw it."""
    char: str
    fonts: Tuple[int, ...]

    @property
    def name(self) -> str:
        """Folder-safe class name, e.g. ``u0041`` for ``A``."""
        return f'u{ord(self.char):04X}'


def load_glyph_fonts(root: str = FONT_DIR,
                     size: int = GLYPH_SIZE,
                     all_faces: bool = False) -> Tuple[List[str], list]:
    """Every scalable font under ``root``, loaded for :func:`render_glyph`.

    A bitmap-only font (fixed sizes, e.g. ``unifont_sample.ttf`` of
    Debian's ``fonts-unifont``) cannot be drawn at the renderer's size:
    FreeType refuses it with "invalid pixel size" and it is left out. Any
    other error of a font file is raised.

    Args:
        root (str): Folder searched recursively. Defaults to ``FONT_DIR``.
        size (int): Image side the fonts will draw. Defaults to
            ``GLYPH_SIZE``.
        all_faces (bool): Every face of a collection (``.ttc``) rather
            than its first. Defaults to False.

    Returns:
        tuple[list[str], list[FreeTypeFont]]: Face names (the path, with
        ``#<index>`` for a collection's faces when ``all_faces``), in
        sorted path order, and the fonts.
    """
    names, fonts = [], []
    for path in find_font_files(root):
        count = face_count(path) if all_faces else 1
        for index in range(count):
            try:
                font = load_font(path, glyph_font_size(size), index)
            except OSError as e:
                if str(e) != 'invalid pixel size':
                    raise
                break
            names.append(f'{path}#{index}' if count > 1 else path)
            fonts.append(font)
    return names, fonts


def _unit_rows(images: List[np.ndarray]) -> np.ndarray:
    rows = np.stack(images).reshape(len(images), -1).astype(np.float64)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def select_glyph_classes(fonts: Sequence[ImageFont.FreeTypeFont],
                         candidates: str = GLYPH_CANDIDATES,
                         min_fonts: int = 3,
                         max_similarity: float = 0.9,
                         similarity_fonts: int = 12,
                         size: int = GLYPH_SIZE) -> List[GlyphClass]:
    """The candidates that make good classes, in candidate order.

    Similarity of two characters is the cosine similarity of their clean
    renderings, averaged over the fonts that draw both among the first
    ``similarity_fonts`` fonts that draw each (look-alikes of two scripts
    come from the same fonts); a candidate is dropped when it is above
    ``max_similarity`` for a kept one.

    Args:
        fonts (Sequence[FreeTypeFont]): Fonts loaded at
            ``glyph_font_size(size)``.
        candidates (str): Characters in priority order. Defaults to
            ``GLYPH_CANDIDATES``.
        min_fonts (int): Fonts that must draw a character. Defaults to 3.
        max_similarity (float): Look-alike threshold. Defaults to 0.9.
        similarity_fonts (int): Fonts per character the similarity uses
            (rendering costs). Defaults to 12.
        size (int): Image side. Defaults to ``GLYPH_SIZE``.

    Returns:
        list[GlyphClass]: Kept characters with the fonts that draw them.
    """
    if min_fonts < 1:
        raise ValueError(f'`min_fonts` should be >= 1, but got {min_fonts}')
    if similarity_fonts < 1:
        raise ValueError('`similarity_fonts` should be >= 1, but got '
                         f'{similarity_fonts}')
    if not 0 < max_similarity <= 1:
        raise ValueError('`max_similarity` should be in (0, 1], but got '
                         f'{max_similarity}')
    n = len(candidates)
    drawn = np.array([font_draws(f, candidates) for f in fonts],
                     dtype=bool).reshape(len(fonts), n)
    usable = drawn.sum(0) >= min_fonts
    compared = drawn & usable & (np.cumsum(drawn, 0) <= similarity_fonts)
    sim_sum, shared = np.zeros((n, n)), np.zeros((n, n))
    for f, font in enumerate(fonts):
        idx = np.flatnonzero(compared[f])
        if len(idx) == 0:
            continue
        rows = _unit_rows(
            [render_glyph(font, candidates[i], size=size) for i in idx])
        sim_sum[np.ix_(idx, idx)] += rows @ rows.T
        shared[np.ix_(idx, idx)] += 1
    mean_sim = np.divide(sim_sum, shared, out=np.zeros_like(sim_sum),
                         where=shared > 0)
    kept: List[int] = []
    for i in np.flatnonzero(usable):
        if not kept or mean_sim[i, kept].max() <= max_similarity:
            kept.append(int(i))
    return [
        GlyphClass(candidates[i], tuple(np.flatnonzero(drawn[:, i]).tolist()))
        for i in kept
    ]


def render_glyph_images(fonts: Sequence[ImageFont.FreeTypeFont],
                        classes: Sequence[GlyphClass],
                        per_class: int,
                        seed: int,
                        size: int = GLYPH_SIZE) -> Tuple[np.ndarray,
                                                         np.ndarray]:
    """``per_class`` random renderings of each class.

    Class ``c``'s images depend only on ``(seed, c's character)``, its
    fonts and ``per_class``, so adding or removing other classes leaves
    them unchanged.

    Args:
        fonts (Sequence[FreeTypeFont]): The fonts ``classes`` index.
        classes (Sequence[GlyphClass]): From :func:`select_glyph_classes`.
        per_class (int): Images per class.
        seed (int): Seed of the random fonts, maps and noise.
        size (int): Image side. Defaults to ``GLYPH_SIZE``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``uint8`` images
        ``(len(classes) * per_class, size, size)`` and labels (the index
        into ``classes``), class by class.
    """
    if per_class < 0:
        raise ValueError(f'`per_class` should be >= 0, but got {per_class}')
    images = np.zeros((len(classes) * per_class, size, size), np.uint8)
    for c, cls in enumerate(classes):
        if not cls.fonts:
            raise ValueError(f'class {cls.name} ({cls.char!r}) has no font')
        rng = np.random.default_rng([seed, ord(cls.char)])
        picks = rng.choice(cls.fonts, size=per_class)
        for j, f in enumerate(picks):
            images[c * per_class + j] = render_glyph(fonts[f], cls.char, rng,
                                                     size)
    labels = np.repeat(np.arange(len(classes)), per_class)
    return images, labels
