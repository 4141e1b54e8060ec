"""CJK ideographs drawn from the installed fonts: a many-class source and,
disjoint from it, a fine-grained target and the probe classes.

The characters are a seeded random sample of U+4E00-U+9FA5 (the 20,902
ideographs of Unicode 1.1) that at least ``min_fonts`` font faces draw,
look-alikes dropped (``select_glyph_classes``); the sample is cut in
order into the source, target and probe classes, so no character is in
two of them. Every face of every scalable font under ``font_root`` is a
style (Noto Sans/Serif CJK JP, KR, SC, TC, HK and their bold weights,
WenQuanYi Micro Hei, Unifont: 34 faces with Debian's ``fonts-noto-cjk
fonts-wqy-microhei fonts-unifont``); each image is one face at random
with a random affine map, contrast and noise (``render_glyph``).

Rendered pools are kept in ``cache_dir`` (one ``.npz`` per role) under a
key of the settings and the font files, so a later process reads them
instead of drawing them again.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from .glyph_fonts import (
    FONT_DIR,
    face_count,
    find_font_files,
    font_codepoints,
)
from .glyphs import (
    GlyphClass,
    load_glyph_fonts,
    render_glyph_images,
    select_glyph_classes,
)
from .pools import ImagePool

__all__ = ['CJK_FIRST', 'CJK_LAST', 'ROLES', 'CJKGlyphs']

CJK_FIRST, CJK_LAST = 0x4E00, 0x9FA5
ROLES = ('source', 'target', 'probe')


class CJKGlyphs:
    """The three CJK pools (``pool('source')``, ``'target'``, ``'probe'``),
    each drawn on first use.

    Args:
        source_classes (int): Source characters. Defaults to 1000.
        target_classes (int): Target characters. Defaults to 50.
        probe_classes (int): Probe characters. Defaults to 40.
        source_per_class (int): Train images per source class. Defaults
            to 36.
        source_test_per_class (int): Held-out images per source class (the
            source model's top-1). Defaults to 5.
        target_per_class (int): Train-pool images per target class (the
            validation set and the condition's shots come from them).
            Defaults to 30.
        target_test_per_class (int): Test images per target class.
            Defaults to 20.
        probe_per_class (int): Images per probe class. Defaults to 10.
        size (int): Image side in pixels. Defaults to 32.
        target_size (int, optional): Side the target's images are drawn
            at, if not ``size`` (a task resizes them to the network's
            input, so a smaller side is a blurrier, shifted domain).
            Defaults to None (``size``).
        seed (int): Seed of the character sample and the drawings.
            Defaults to 0.
        font_root (str): Where fonts are searched. Defaults to
            ``FONT_DIR``.
        min_fonts (int): Faces that must draw a character. Defaults to 3.
        cache_dir (str, optional): Folder of the rendered pools. Defaults
            to None (drawn in every process).
    """

    def __init__(self,
                 source_classes: int = 1000,
                 target_classes: int = 50,
                 probe_classes: int = 40,
                 source_per_class: int = 36,
                 source_test_per_class: int = 5,
                 target_per_class: int = 30,
                 target_test_per_class: int = 20,
                 probe_per_class: int = 10,
                 size: int = 32,
                 target_size: Optional[int] = None,
                 seed: int = 0,
                 font_root: str = FONT_DIR,
                 min_fonts: int = 3,
                 cache_dir: Optional[str] = None):
        counts = dict(
            source_classes=source_classes, target_classes=target_classes,
            probe_classes=probe_classes, source_per_class=source_per_class,
            source_test_per_class=source_test_per_class,
            target_per_class=target_per_class,
            target_test_per_class=target_test_per_class,
            probe_per_class=probe_per_class, size=size, min_fonts=min_fonts)
        for key, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value < 1:
                raise ValueError(f'`{key}` should be an int >= 1, but got '
                                 f'{value!r}')
        if probe_per_class < 2:
            raise ValueError('`probe_per_class` should be >= 2 (the probe '
                             'finds neighbours of the same class), but got '
                             f'{probe_per_class}')
        if target_size is not None and (
                isinstance(target_size, bool) or
                not isinstance(target_size, int) or target_size < 1):
            raise ValueError('`target_size` should be None or an int >= 1, '
                             f'but got {target_size!r}')
        self.options = dict(counts, seed=seed, target_size=target_size)
        self.font_root = font_root
        self.cache_dir = cache_dir
        self._fonts = {}
        self._classes = None
        self._pools = {}

    def settings(self, role: Optional[str] = None) -> dict:
        """Everything the pools (or one role's pool) depend on: the
        options and the font files (paths, sizes, faces).

        A role's characters are a cut of one sample whose first characters
        do not depend on how many are drawn after them, so the source pool
        depends on no target or probe option (another target leaves the
        source, and its pre-trained model, as they are).
        """
        files = [[p, osp.getsize(p), face_count(p)]
                 for p in find_font_files(self.font_root)]
        if role is None:
            return dict(self.options, fonts=files)
        if role not in ROLES:
            raise ValueError(f'`role` should be one of {ROLES}, but got '
                             f'{role!r}')
        roles = ROLES[:ROLES.index(role) + 1]
        keys = ['size', 'seed', 'min_fonts'] + [
            f'{r}_classes' for r in roles] + [
                k for k in self.options
                if k.startswith(role) and not k.endswith('_classes')]
        return dict({k: self.options[k] for k in keys}, role=role,
                    fonts=files)

    def _load_fonts(self, size: int) -> list:
        if size not in self._fonts:
            _, self._fonts[size] = load_glyph_fonts(self.font_root, size,
                                                    all_faces=True)
        return self._fonts[size]

    def classes(self) -> Dict[str, List[GlyphClass]]:
        """The characters of each role, in sample order."""
        if self._classes is not None:
            return self._classes
        o = self.options
        wanted = o['source_classes'] + o['target_classes'] + \
            o['probe_classes']
        fonts = self._load_fonts(o['size'])
        maps = [font_codepoints(f) for f in fonts]
        order = [
            c for c in np.random.default_rng(o['seed']).permutation(
                np.arange(CJK_FIRST, CJK_LAST + 1)).tolist()
            if sum(c in m for m in maps) >= o['min_fonts']
        ]
        # a candidate is dropped only for an earlier one, so more
        # candidates leave the first kept ones as they are
        count = wanted + wanted // 10 + 50
        while True:
            kept = select_glyph_classes(
                fonts, ''.join(map(chr, order[:count])),
                min_fonts=o['min_fonts'], size=o['size'])
            if len(kept) >= wanted or count >= len(order):
                break
            count = 2 * count
        if len(kept) < wanted:
            raise ValueError(
                f'the fonts under {self.font_root!r} draw {len(kept)} usable '
                f'CJK ideographs (at least {o["min_fonts"]} faces each), '
                f'fewer than the {wanted} asked for (source + target + '
                'probe classes); install CJK fonts (`apt-get install '
                'fonts-noto-cjk fonts-wqy-microhei fonts-unifont`) or ask '
                'for fewer classes')
        ends = np.cumsum([o[f'{r}_classes'] for r in ROLES])
        self._classes = {
            role: kept[end - o[f'{role}_classes']:end]
            for role, end in zip(ROLES, ends)
        }
        return self._classes

    def _cache_path(self, role: str) -> Optional[str]:
        if self.cache_dir is None:
            return None
        key = hashlib.sha1(json.dumps(self.settings(role),
                                      sort_keys=True).encode())
        return osp.join(self.cache_dir,
                        f'cjk_{role}_{key.hexdigest()[:12]}.npz')

    def _render(self, role: str) -> ImagePool:
        o = self.options
        per_class = dict(
            source=(o['source_per_class'], o['source_test_per_class']),
            target=(o['target_per_class'], o['target_test_per_class']),
            probe=(0, o['probe_per_class']))[role]
        size = o['target_size'] if role == 'target' and o[
            'target_size'] else o['size']
        classes = self.classes()[role]
        fonts = self._load_fonts(size)
        train = render_glyph_images(fonts, classes, per_class[0],
                                    2 * o['seed'], size)
        test = render_glyph_images(fonts, classes, per_class[1],
                                   2 * o['seed'] + 1, size)
        return ImagePool(tuple(c.name for c in classes), *train, *test,
                         tuple(c.char for c in classes))

    def pool(self, role: str) -> ImagePool:
        """The images of one role (``'source'``, ``'target'`` or
        ``'probe'``; the probe has test images only)."""
        if role not in ROLES:
            raise ValueError(f'`role` should be one of {ROLES}, but got '
                             f'{role!r}')
        if role in self._pools:
            return self._pools[role]
        path = self._cache_path(role)
        if path is not None and osp.exists(path):
            with np.load(path) as data:
                pool = ImagePool(
                    tuple(data['class_names'].tolist()),
                    data['train_images'], data['train_labels'],
                    data['test_images'], data['test_labels'],
                    tuple(data['depicts'].tolist()))
        else:
            pool = self._render(role)
            if path is not None:
                os.makedirs(self.cache_dir, exist_ok=True)
                with open(path + '.tmp', 'wb') as f:
                    np.savez_compressed(
                        f, class_names=np.array(pool.class_names),
                        depicts=np.array(pool.depicts),
                        train_images=pool.train_images,
                        train_labels=pool.train_labels,
                        test_images=pool.test_images,
                        test_labels=pool.test_labels)
                os.replace(path + '.tmp', path)
        self._pools[role] = pool
        return pool
