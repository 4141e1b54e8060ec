"""Find font files and tell which characters a font really draws.

A font asked for a character it lacks draws its ``.notdef`` glyph (often a
box, sometimes nothing). :func:`font_draws` reads the font's character map
instead of looking at pixels, so no missing-glyph box becomes a class.
Works for any Pillow ``FreeTypeFont``, including ``ImageFont.load_default``.
"""
import io
import os
import os.path as osp
from typing import List, Sequence, Set

from PIL import ImageFont

__all__ = [
    'FONT_DIR', 'find_font_files', 'face_count', 'load_font',
    'font_codepoints', 'font_draws'
]

FONT_DIR = '/usr/share/fonts'
FONT_SUFFIXES = ('.ttf', '.otf', '.ttc')
_INSTALL = ('apt-get install fonts-noto-core fonts-dejavu-core '
            'fonts-liberation fonts-noto-cjk')


def find_font_files(root: str = FONT_DIR) -> List[str]:
    """Every ``.ttf``, ``.otf`` and ``.ttc`` file under ``root``, sorted.

    Args:
        root (str): Directory searched recursively. Defaults to
            ``FONT_DIR``.

    Returns:
        list[str]: Paths in sorted order (the order fonts are numbered in).
    """
    found = []
    for folder, _, files in os.walk(root):
        found += [
            osp.join(folder, f) for f in files
            if f.lower().endswith(FONT_SUFFIXES)
        ]
    if not found:
        raise FileNotFoundError(
            f'no font files ({", ".join(FONT_SUFFIXES)}) under {root!r}; '
            f'install some, e.g. `{_INSTALL}`')
    return sorted(found)


def face_count(path: str) -> int:
    """Faces in a font file: those of a collection (``.ttc``, e.g. Noto
    Sans CJK's JP, KR, SC, TC and HK faces), 1 for any other file."""
    if not path.lower().endswith('.ttc'):
        return 1
    from fontTools.ttLib import TTCollection
    return len(TTCollection(path, lazy=True).fonts)


def load_font(path: str, size: int,
              index: int = 0) -> ImageFont.FreeTypeFont:
    """A font file at ``size`` pixels per em, with Pillow's basic layout.

    The basic layout engine maps one character to one glyph with no
    shaping, so a rendering depends only on the font file and the size.

    Args:
        path (str): Font file.
        size (int): Pixels per em.
        index (int): Face of a collection (``.ttc``). Defaults to 0.
    """
    if size < 1:
        raise ValueError(f'font size should be >= 1, but got {size}')
    return ImageFont.truetype(
        path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


def font_codepoints(font: ImageFont.FreeTypeFont) -> Set[int]:
    """Code points the font's character map sends to a real glyph.

    Read with fontTools (a dependency of matplotlib, so of the tools
    extra) from the font's file or, for fonts loaded from bytes such as
    ``ImageFont.load_default()``, from those bytes.
    """
    from fontTools.ttLib import TTFont
    source = font.path
    if not isinstance(source, (str, bytes, os.PathLike)):
        source = io.BytesIO(font.font_bytes)
    cmap = TTFont(source, fontNumber=font.index, lazy=True).getBestCmap()
    return {code for code, glyph in cmap.items() if glyph != '.notdef'}


def font_draws(font: ImageFont.FreeTypeFont,
               chars: Sequence[str]) -> List[bool]:
    """Whether ``font`` draws a real, visible glyph for each character.

    A character is drawn when the font maps it to a glyph other than
    ``.notdef`` and that glyph's box has an area (a space has none).

    Args:
        font (FreeTypeFont): The font.
        chars (Sequence[str]): Single characters.

    Returns:
        list[bool]: One flag per character.
    """
    for char in chars:
        if len(char) != 1:
            raise ValueError(f'expected single characters, but got {char!r}')
    mapped = font_codepoints(font)
    out = []
    for char in chars:
        if ord(char) not in mapped:
            out.append(False)
            continue
        left, top, right, bottom = font.getbbox(char)
        out.append(right > left and bottom > top)
    return out
