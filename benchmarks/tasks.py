"""Source -> target transfer tasks, written in mmpretrain's layouts.

Each task names a source (pre-training) class set, a target class set and
probe classes, which are in neither, for the general-discrimination k-NN:

- ``far``: Fashion-MNIST clothes (T-shirt/top, trouser, dress, coat) ->
  footwear and bags (sandal, sneaker, bag, ankle boot); probe pullover,
  shirt;
- ``near``: trouser, dress, bag, ankle boot -> the four look-alike tops
  (T-shirt/top, pullover, coat, shirt); probe sandal, sneaker;
- ``cross``: all ten Fashion-MNIST classes -> handwritten digits except
  3 and 8, the probe;
- ``glyphs_fashion`` / ``glyphs_digits``: many-class font glyphs -> the
  target and probe of ``far`` / ``cross``, so only the source differs;
- ``glyphs_cjk``: many CJK ideographs (1000 by default) -> other, unseen
  ideographs (50), a fine-grained few-shot target; probe: 40 more
  (``cjk_glyphs.py``).

A probe class is never a source class: classes are compared by what they
depict (``ImagePool.depictions``), across pools, so the glyphs ``3`` and
``8`` stay out of the glyph source of ``glyphs_digits`` whose probe is
the handwritten 3 and 8.

Images are written as 32x32 RGB (the demo ResNet's input): the source in
ImageNet's layout (``meta/train.txt``); the target in CUB's layout (train
split = the condition's training images, test split = every held-out test
image of the target classes); a validation set carved from the target
TRAIN pool as a second CUB root whose test split it is (read it with
``split='test'``); the probe as a CUB root of test images only. Every
random choice is seeded by the task, the part and the seed (and the
condition for the training images).
"""
import functools
import zlib
from typing import Dict, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .cjk_glyphs import CJKGlyphs
from .conditions import CONDITIONS, split_train_val
from .idx import FASHION_MNIST_DIR
from .layouts import write_cub_layout, write_imagenet_layout
from .pools import ImagePool, digits_pool, fashion_pool, glyph_pool, to_rgb

__all__ = ['TaskSpec', 'TASKS', 'load_pools', 'source_classes',
           'write_source', 'write_probe', 'write_target']


class TaskSpec(NamedTuple):
    """Pools and class names of a task's source, target and probe.

    ``source_classes`` None means every class of the source pool that
    depicts no probe class; ``target_classes`` / ``probe_classes`` None
    mean every class of their pool.
    """
    source: str
    source_classes: Optional[Tuple[str, ...]]
    target: str
    target_classes: Optional[Tuple[str, ...]]
    probe: str
    probe_classes: Optional[Tuple[str, ...]]


_FAR_TARGET = ('sandal', 'sneaker', 'bag', 'ankle_boot')
_FAR_PROBE = ('pullover', 'shirt')
_DIGIT_TARGET = tuple(f'digit{d}' for d in (0, 1, 2, 4, 5, 6, 7, 9))
_DIGIT_PROBE = ('digit3', 'digit8')
TASKS = dict(
    far=TaskSpec('fashion', ('tshirt_top', 'trouser', 'dress', 'coat'),
                 'fashion', _FAR_TARGET, 'fashion', _FAR_PROBE),
    near=TaskSpec('fashion', ('trouser', 'dress', 'bag', 'ankle_boot'),
                  'fashion', ('tshirt_top', 'pullover', 'coat', 'shirt'),
                  'fashion', ('sandal', 'sneaker')),
    cross=TaskSpec('fashion', None, 'digits', _DIGIT_TARGET, 'digits',
                   _DIGIT_PROBE),
    glyphs_fashion=TaskSpec('glyphs', None, 'fashion', _FAR_TARGET,
                            'fashion', _FAR_PROBE),
    glyphs_digits=TaskSpec('glyphs', None, 'digits', _DIGIT_TARGET,
                           'digits', _DIGIT_PROBE),
    glyphs_cjk=TaskSpec('cjk_source', None, 'cjk_target', None, 'cjk_probe',
                        None))


def _rng(*parts) -> np.random.Generator:
    # crc32, not hash(): str hashes change from one Python process to the next
    return np.random.default_rng([zlib.crc32(str(p).encode()) for p in parts])


def _spec(task: str) -> TaskSpec:
    if task not in TASKS:
        raise ValueError(f'unknown task {task!r}; expected one of '
                         f'{sorted(TASKS)}')
    return TASKS[task]


def load_pools(tasks: Sequence[str],
               fashion_root: str = FASHION_MNIST_DIR,
               glyph_options: Optional[dict] = None,
               cjk_options: Optional[dict] = None) -> Dict[str, ImagePool]:
    """The pools the given tasks read, by name.

    Args:
        tasks (Sequence[str]): Keys of ``TASKS``.
        fashion_root (str): Fashion-MNIST's directory. Defaults to
            ``FASHION_MNIST_DIR``.
        glyph_options (dict, optional): Keyword arguments of
            :func:`glyph_pool` (e.g. ``num_classes``, ``train_per_class``,
            which should cover ``write_source``'s ``max_per_class``).
            Defaults to None (its defaults).
        cjk_options (dict, optional): Keyword arguments of
            :class:`CJKGlyphs`. Defaults to None (its defaults).
    """
    specs = [_spec(t) for t in tasks]
    names = {n for s in specs for n in (s.source, s.target, s.probe)}
    cjk = CJKGlyphs(**(cjk_options or {}))
    loaders = dict(
        fashion=lambda: fashion_pool(fashion_root),
        digits=digits_pool,
        glyphs=lambda: glyph_pool(**(glyph_options or {})),
        **{f'cjk_{role}': functools.partial(cjk.pool, role)
           for role in ('source', 'target', 'probe')})
    return {n: loaders[n]() for n in sorted(names)}


def _names(pool: ImagePool, given: Optional[Sequence[str]]) -> tuple:
    return pool.class_names if given is None else tuple(given)


def source_classes(task: str, pools: Mapping[str, ImagePool]) -> tuple:
    """The source classes of a task: its ``source_classes``, or every class
    of the source pool that depicts no probe class.

    Raises:
        ValueError: If a named source class depicts a probe class.
    """
    spec = _spec(task)
    pool, probe = pools[spec.source], pools[spec.probe]
    probe_idx = _indices(probe, spec.probe, _names(probe, spec.probe_classes))
    banned = {probe.depictions()[i] for i in probe_idx}
    shows = dict(zip(pool.class_names, pool.depictions()))
    if spec.source_classes is None:
        return tuple(n for n in pool.class_names if shows[n] not in banned)
    _indices(pool, spec.source, spec.source_classes)
    clash = [n for n in spec.source_classes if shows[n] in banned]
    if clash:
        raise ValueError(f'task {task!r}: source classes {clash} depict '
                         'probe classes; a probe class must be unseen')
    return tuple(spec.source_classes)


def _indices(pool: ImagePool, pool_name: str,
             names: Sequence[str]) -> Tuple[int, ...]:
    missing = [n for n in names if n not in pool.class_names]
    if missing:
        raise ValueError(f'classes {missing} are not in the {pool_name!r} '
                         f'pool ({len(pool.class_names)} classes)')
    return tuple(pool.class_names.index(n) for n in names)


def _pick(labels: np.ndarray, classes: Sequence[int],
          per_class: Optional[int], rng: np.random.Generator) -> tuple:
    """Indices of at most ``per_class`` random images of each class, and
    their labels remapped to ``0..len(classes)-1``."""
    idx = [rng.permutation(np.flatnonzero(labels == c))[:per_class]
           for c in classes]
    new = [np.full(len(i), k) for k, i in enumerate(idx)]
    return np.concatenate(idx), np.concatenate(new)


def write_source(task: str, pools: Mapping[str, ImagePool], root: str,
                 max_per_class: Optional[int] = 500, seed: int = 0) -> Dict:
    """Write a task's source train split in ImageNet's layout.

    Args:
        task (str): A key of ``TASKS``.
        pools (Mapping[str, ImagePool]): Pools by name (``fashion``,
            ``digits``, ``glyphs``); only the task's are needed.
        root (str): Dataset root to write.
        max_per_class (int, optional): Cap on images per class (random
            ones from the pool's train part); None: all. Defaults to 500.
        seed (int): Seed of the pick. Defaults to 0.

    Returns:
        dict: ``root`` and ``class_names`` (in label order).
    """
    spec = _spec(task)
    pool = pools[spec.source]
    names = source_classes(task, pools)
    idx, labels = _pick(pool.train_labels, _indices(pool, spec.source, names),
                        max_per_class, _rng(task, 'source', seed))
    write_imagenet_layout(root, 'train', to_rgb(pool.train_images[idx]),
                          labels, names)
    return dict(root=root, class_names=names)


def write_probe(task: str, pools: Mapping[str, ImagePool], root: str,
                max_per_class: Optional[int] = 200, seed: int = 0) -> Dict:
    """Write the probe classes' test images as a CUB root (test split only),
    the dataset of ``GeneralDiscriminationMetric``.

    Returns:
        dict: ``root`` and ``class_names``.
    """
    spec = _spec(task)
    pool = pools[spec.probe]
    names = _names(pool, spec.probe_classes)
    classes = _indices(pool, spec.probe, names)
    idx, labels = _pick(pool.test_labels, classes, max_per_class,
                        _rng(task, 'probe', seed))
    write_cub_layout(root, to_rgb(pool.test_images[idx]), labels,
                     [False] * len(idx), names)
    return dict(root=root, class_names=names)


def write_target(task: str, condition: str, seed: int,
                 pools: Mapping[str, ImagePool], root: str,
                 val_per_class: int = 20,
                 max_train_per_class: Optional[int] = None) -> Dict:
    """Write one cell's target task and validation set as CUB roots.

    Args:
        task (str): A key of ``TASKS``.
        condition (str): A key of ``CONDITIONS``.
        seed (int): The cell's seed.
        pools (Mapping[str, ImagePool]): Pools by name.
        root (str): Writes ``root/target`` and ``root/val``.
        val_per_class (int): Validation images per class, carved from the
            target train pool (clean, balanced, the same for every
            condition of a task and seed). Defaults to 20.
        max_train_per_class (int, optional): Cap on a class's training
            images before the condition applies. Defaults to None.

    Returns:
        dict: ``target`` and ``val`` roots, ``class_names``, ``train_counts``
        (training images per class, by true label) and ``noisy`` (how many
        training labels are wrong).
    """
    spec = _spec(task)
    if condition not in CONDITIONS:
        raise ValueError(f'unknown condition {condition!r}; expected one of '
                         f'{sorted(CONDITIONS)}')
    pool = pools[spec.target]
    names = _names(pool, spec.target_classes)
    classes = _indices(pool, spec.target, names)
    pool_idx, labels = _pick(pool.train_labels, classes, None, _rng(task))
    val, train, train_labels = split_train_val(
        labels, len(classes), CONDITIONS[condition], _rng(task, 'val', seed),
        _rng(task, condition, seed), val_per_class, max_train_per_class)
    test_idx, test_labels = _pick(pool.test_labels, classes, None, _rng(task))
    images = to_rgb(np.concatenate([pool.train_images[pool_idx[train]],
                                    pool.test_images[test_idx]]))
    target = write_cub_layout(
        f'{root}/target', images, np.concatenate([train_labels, test_labels]),
        [True] * len(train) + [False] * len(test_idx), names)
    val_root = write_cub_layout(
        f'{root}/val', to_rgb(pool.train_images[pool_idx[val]]), labels[val],
        [False] * len(val), names)
    return dict(
        target=target, val=val_root, class_names=names,
        train_counts=np.bincount(labels[train],
                                 minlength=len(classes)).tolist(),
        noisy=int((train_labels != labels[train]).sum()))
