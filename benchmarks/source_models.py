"""Per task: the pre-trained source model (cached) and the probe's
reference values.

The source model of a task is pre-trained once (seeded) with
``configs/demo/digits_pretrain.py`` on the task's source classes and cached
under a key of everything it depends on; its top-1 on held-out source test
images is stored beside it. The probe references say what the
general-discrimination score means: raw pixels, randomly initialised
networks and the pre-trained network, through the same metric.
"""
import functools
import hashlib
import json
import os
import os.path as osp
import shutil
import time
from collections.abc import Mapping
from typing import Dict, Optional

import numpy as np

from .baselines import load_cub_split, model_features
from .cjk_glyphs import ROLES, CJKGlyphs
from .idx import FASHION_MNIST_DIR
from .method_runs import build_classifier, classify_top1, probe_top1
from .pools import digits_pool, fashion_pool, glyph_pool, to_rgb
from .progress import ProgressHook  # noqa: F401 (registered for configs)
from .tasks import TASKS, write_probe, write_source
from .train_job import run_training

__all__ = [
    'SOURCE_TEST_PER_CLASS', 'LazyPools', 'cache_folder', 'is_pretrained',
    'pretrain_settings', 'pretrain_source', 'probe_references',
    'source_test_images', 'width_options'
]


class LazyPools(Mapping):
    """The image pools by name, each loaded on first use (a part that only
    needs Fashion-MNIST never draws the glyphs).

    Args:
        fashion_root (str): Fashion-MNIST's folder. Defaults to
            ``FASHION_MNIST_DIR``.
        glyph_options (dict, optional): Arguments of ``glyph_pool``.
        test_per_class (int, optional): Keep at most this many test
            images per class (the same seeded choice in every run), so
            that validating Fashion-MNIST's 1000 per class does not
            dominate a short run. Defaults to None (all).
        cjk_options (dict, optional): Arguments of ``CJKGlyphs`` (the
            ``cjk_source``, ``cjk_target`` and ``cjk_probe`` pools).
            Defaults to None (its defaults).
    """

    def __init__(self, fashion_root: str = FASHION_MNIST_DIR,
                 glyph_options: Optional[dict] = None,
                 test_per_class: Optional[int] = None,
                 cjk_options: Optional[dict] = None):
        if test_per_class is not None and test_per_class < 1:
            raise ValueError('`test_per_class` should be None or >= 1, but '
                             f'got {test_per_class}')
        self.fashion_root = fashion_root
        self.glyph_options = dict(glyph_options or {})
        self.test_per_class = test_per_class
        self._loaded = {}
        self.cjk = CJKGlyphs(**(cjk_options or {}))
        self._loaders = dict(
            fashion=lambda: fashion_pool(self.fashion_root),
            digits=digits_pool,
            glyphs=lambda: glyph_pool(**self.glyph_options),
            **{f'cjk_{role}': functools.partial(self.cjk.pool, role)
               for role in ROLES})

    def __getitem__(self, name):
        if name not in self._loaded:
            pool = self._loaders[name]()
            if self.test_per_class is not None:
                rng = np.random.default_rng(0)
                keep = np.sort(np.concatenate([
                    rng.permutation(np.flatnonzero(
                        pool.test_labels == c))[:self.test_per_class]
                    for c in range(len(pool.class_names))
                ]))
                pool = pool._replace(test_images=pool.test_images[keep],
                                     test_labels=pool.test_labels[keep])
            self._loaded[name] = pool
        return self._loaded[name]

    def __iter__(self):
        return iter(self._loaders)

    def __len__(self):
        return len(self._loaders)


# held-out source images per class of source_top1 (and the forgetting
# curve of the methods that keep the source head)
SOURCE_TEST_PER_CLASS = 200


def width_options(width: int, num_classes: int) -> dict:
    """Config options of the demo ResNet's width and class count."""
    return {
        'model.backbone.stem_channels': width,
        'model.backbone.base_channels': width,
        'model.head.in_channels': 8 * width,
        'model.head.num_classes': num_classes,
        'data_preprocessor.num_classes': num_classes,
    }


def source_test_images(task: str, pools: Mapping, class_names,
                       per_class: int = SOURCE_TEST_PER_CLASS) -> tuple:
    """The held-out source images of a task's source model: up to
    ``per_class`` test images of each source class (a seeded choice),
    ``uint8`` RGB ``(N, H, W, 3)``, and their labels (indices into
    ``class_names``). The source model's ``source_top1`` is its top-1 on
    them."""
    pool = pools[TASKS[task].source]
    rng = np.random.default_rng(0)
    idx, labels = [], []
    for k, name in enumerate(class_names):
        own = np.flatnonzero(pool.test_labels == pool.class_names.index(name))
        idx.append(rng.permutation(own)[:per_class])
        labels.append(np.full(len(idx[-1]), k))
    images = to_rgb(pool.test_images[np.concatenate(idx)])
    return images, np.concatenate(labels)


def pretrain_settings(task: str, width: int, steps: int,
                      max_per_class: int = 1000, batch_size: int = 32,
                      seed: int = 0, key_extra: Optional[dict] = None) -> dict:
    """Everything a task's source model depends on: its cache key (the
    arguments of :func:`pretrain_source`)."""
    return dict(task=task, width=width, steps=steps, seed=seed,
                max_per_class=max_per_class, batch_size=batch_size,
                **(key_extra or {}))


def cache_folder(cache_dir: str, settings: dict) -> str:
    """Where the source model of :func:`pretrain_settings` is cached."""
    key = hashlib.sha1(json.dumps(settings, sort_keys=True).encode())
    return osp.join(cache_dir, f'{settings["task"]}_{key.hexdigest()[:10]}')


def is_pretrained(cache_dir: str, settings: dict) -> bool:
    """Whether the source model of ``settings`` is in the cache."""
    return osp.exists(osp.join(cache_folder(cache_dir, settings),
                               'pretrain.json'))


def pretrain_source(task: str, pools: Mapping, cache_dir: str,
                    config_dir: str, width: int, steps: int,
                    max_per_class: int = 1000, batch_size: int = 32,
                    seed: int = 0, key_extra: Optional[dict] = None) -> Dict:
    """The task's pre-trained source model, trained once and cached.

    Args:
        task (str): A key of ``TASKS``.
        pools (Mapping): Pools by name (e.g. :class:`LazyPools`).
        cache_dir (str): Cache folder.
        config_dir (str): Folder of ``digits_pretrain.py``.
        width (int): Base channels of the ResNet.
        steps (int): Optimiser steps at least (whole epochs).
        max_per_class (int): Source images per class. Defaults to 1000.
        batch_size (int): Defaults to 32.
        seed (int): Seed of the image pick and the training. Defaults to 0.
        key_extra (dict, optional): More that the model depends on (e.g.
            the data's folders), part of the cache key.

    Returns:
        dict: ``checkpoint``, ``source_root``, ``class_names``,
        ``source_top1`` (held-out source test images, up to 200 per
        class), ``epochs``, ``steps``, ``seconds`` (training, when it ran)
        and ``cached`` (whether it was read from the cache).
    """
    settings = pretrain_settings(task, width, steps, max_per_class,
                                 batch_size, seed, key_extra)
    root = cache_folder(cache_dir, settings)
    done = osp.join(root, 'pretrain.json')
    if osp.exists(done):
        with open(done) as f:
            return dict(json.load(f), cached=True)
    source = write_source(task, pools, osp.join(root, 'source'),
                          max_per_class=max_per_class, seed=seed)
    names = list(source['class_names'])
    per_epoch = -(-sum(1 for _ in open(
        osp.join(source['root'], 'meta', 'train.txt'))) // batch_size)
    epochs = -(-steps // per_epoch)
    config = osp.join(config_dir, 'digits_pretrain.py')
    options = {
        **width_options(width, len(names)),
        'train_dataloader.dataset.data_root': source['root'],
        'train_dataloader.batch_size': batch_size,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': epochs,
        'param_scheduler.0.end': epochs,
        'param_scheduler.0.T_max': epochs,
        'default_hooks.checkpoint.interval': epochs,
        'default_hooks.logger.interval': 10**6,
        'randomness.seed': seed,
        'log_level': 'WARNING',
        'custom_hooks': [
            dict(type='ProgressHook', label=f'pre-training {task}')
        ],
    }
    print(f'pre-training the {task} source model: {len(names)} classes, '
          f'{epochs} epochs of {per_epoch} steps (batch {batch_size})',
          flush=True)
    start = time.perf_counter()
    job = run_training(config, osp.join(root, 'work'), options,
                       experiment_name=f'pretrain_{osp.basename(root)}')
    seconds = time.perf_counter() - start
    checkpoint = osp.join(root, 'pretrain.pth')
    shutil.copy(job['checkpoint'], checkpoint)
    images, labels = source_test_images(task, pools, names)
    model = build_classifier(config, width_options(width, len(names)),
                             checkpoint)
    out = dict(settings=settings, checkpoint=checkpoint,
               source_root=source['root'], class_names=names,
               source_top1=classify_top1(model, images, labels),
               source_test_images=len(images), epochs=epochs,
               steps=epochs * per_epoch, seconds=seconds)
    with open(done + '.tmp', 'w') as f:
        json.dump(out, f, indent=1)
    os.replace(done + '.tmp', done)
    return dict(out, cached=False)


def probe_references(task: str, pools: Mapping, root: str, config_dir: str,
                     width: int, pretrained: Dict,
                     random_seeds: int = 3) -> tuple:
    """The probe images of a task and what the probe score means.

    Returns:
        tuple: ``(images, labels)`` of the probe (CUB root written under
        ``root``) and a dict: ``raw_pixel`` (the metric on pixels),
        ``pretrained`` (the source model's features), ``random_init``
        (one value per randomly initialised network, seeds 0, 1, ...).
    """
    probe = write_probe(task, pools, root)
    images, labels = load_cub_split(probe['root'], 'test')
    names = pretrained['class_names']
    model = build_classifier(osp.join(config_dir, 'digits_pretrain.py'),
                             width_options(width, len(names)),
                             pretrained['checkpoint'])
    refs = dict(
        raw_pixel=probe_top1(images.reshape(len(images), -1), labels),
        pretrained=probe_top1(model_features(model)(images), labels),
        random_init=[
            probe_top1(model_features(build_classifier(
                osp.join(config_dir, 'digits_pretrain.py'),
                width_options(width, len(names)), seed=s))(images), labels)
            for s in range(random_seeds)
        ])
    return (images, labels), refs
