"""Draw one character as a 28x28 greyscale image, like Fashion-MNIST.

White ink on black, centred on its ink box, drawn at twice the output size
and reduced (anti-aliased). With a random generator, the character is also
rotated, scaled, sheared and shifted (one random affine map), its contrast
is lowered at random and Gaussian pixel noise is added.
"""
import math
from typing import Optional

import numpy as np
from PIL import Image, ImageFont

__all__ = ['GLYPH_SIZE', 'EM_FRACTION', 'glyph_font_size', 'render_glyph']

GLYPH_SIZE = 28
# Font size (pixels per em) over the image size: CJK ideographs fill about
# one em, capitals about 0.7 em, so both fit with room for the affine map.
EM_FRACTION = 0.72
_OVERSAMPLE = 2
# Ranges of the random distortion.
ROTATE_DEG = 12.0
SCALE = (0.85, 1.1)
SHEAR = 0.2
SHIFT = 0.08
NOISE_STD = (0.0, 12.0)
CONTRAST = (0.7, 1.0)


def _ink(font: ImageFont.FreeTypeFont, char: str,
         canvas: int) -> Image.Image:
    """The character's ink box, shrunk to fit 90% of the canvas."""
    mask = font.getmask(char)
    ink = Image.frombytes('L', mask.size, bytes(mask))
    box = ink.getbbox()
    if box is None:
        raise ValueError(f'font {font.getname()} draws no ink for {char!r}')
    ink = ink.crop(box)
    fit = 0.9 * canvas / max(ink.size)
    if fit < 1:
        ink = ink.resize((max(1, round(ink.width * fit)),
                          max(1, round(ink.height * fit))), Image.BILINEAR)
    return ink


def _affine(rng: np.random.Generator, canvas: int) -> tuple:
    """Coefficients of PIL's inverse affine map (output -> input pixel)."""
    angle = math.radians(rng.uniform(-ROTATE_DEG, ROTATE_DEG))
    scale = rng.uniform(*SCALE)
    shear = rng.uniform(-SHEAR, SHEAR)
    dx, dy = rng.uniform(-SHIFT, SHIFT, size=2) * canvas
    cos, sin = math.cos(angle), math.sin(angle)
    # forward map A = scale * rotation * shear; PIL wants A^-1
    a = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1, shear], [0, 1]])
    inv = np.linalg.inv(a * scale)
    c = canvas / 2
    centre = np.array([c, c])
    offset = centre - inv @ (centre + np.array([dx, dy]))
    return (inv[0, 0], inv[0, 1], offset[0], inv[1, 0], inv[1, 1], offset[1])


def render_glyph(font: ImageFont.FreeTypeFont,
                 char: str,
                 rng: Optional[np.random.Generator] = None,
                 size: int = GLYPH_SIZE) -> np.ndarray:
    """One character as a ``uint8`` greyscale image, white on black.

    Args:
        font (FreeTypeFont): Loaded at ``EM_FRACTION * 2 * size`` pixels per
            em (see :func:`glyph_font_size`); drawn at twice ``size``.
        char (str): The character; ``font`` must draw it.
        rng (np.random.Generator, optional): Draws the random affine map,
            contrast and noise. None gives the clean, centred character.
            Defaults to None.
        size (int): Output side in pixels. Defaults to ``GLYPH_SIZE``.

    Returns:
        np.ndarray: ``(size, size)`` ``uint8`` image.
    """
    canvas = _OVERSAMPLE * size
    ink = _ink(font, char, canvas)
    big = Image.new('L', (canvas, canvas), 0)
    big.paste(ink, ((canvas - ink.width) // 2, (canvas - ink.height) // 2))
    if rng is not None:
        big = big.transform((canvas, canvas), Image.AFFINE,
                            _affine(rng, canvas), resample=Image.BILINEAR)
    image = np.asarray(big.resize((size, size), Image.BOX), dtype=np.float64)
    if rng is not None:
        image = image * rng.uniform(*CONTRAST)
        image += rng.normal(0.0, rng.uniform(*NOISE_STD), image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def glyph_font_size(size: int = GLYPH_SIZE) -> int:
    """Pixels per em to load fonts at for :func:`render_glyph`."""
    return round(EM_FRACTION * _OVERSAMPLE * size)

