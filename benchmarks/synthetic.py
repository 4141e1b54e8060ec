"""Synthetic data in real formats, for speed runs of the shipped configs.

Photo-like JPEGs written in CUB's and ImageNet's on-disk layouts (read back
by mmpretrain's own dataset classes), and an ImageNet-1k-shaped ResNet-50
checkpoint as mmpretrain publishes it (``backbone.*``, ``head.fc.*``). The
pixels and weights are random: these measure speed, not accuracy.
"""
import io
import os
import os.path as osp
from typing import List

import numpy as np
import torch
from PIL import Image

from .layouts import write_cub_layout, write_imagenet_layout

__all__ = [
    'synthetic_jpegs', 'write_in1k_checkpoint', 'write_synthetic_cub',
    'write_synthetic_imagenet'
]


def synthetic_jpegs(count: int, width: int, height: int,
                    seed: int = 0) -> List[bytes]:
    """``count`` distinct JPEG files (quality 90) of ``width`` x ``height``.

    Smooth colour fields (random 8x6 colours upsampled bicubically) plus
    fine noise: they decode like photos, not like pure noise (much slower)
    or flat colour (much faster).

    Args:
        count (int): Number of distinct files.
        width (int): Image width in pixels.
        height (int): Image height in pixels.
        seed (int): Random seed. Defaults to 0.

    Returns:
        list[bytes]: The encoded files.
    """
    if min(count, width, height) < 1:
        raise ValueError('`count`, `width` and `height` should be >= 1, '
                         f'but got {count}, {width}, {height}')
    rng = np.random.default_rng(seed)
    files = []
    for _ in range(count):
        coarse = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        field = np.asarray(Image.fromarray(coarse).resize(
            (width, height), Image.BICUBIC), dtype=np.int16)
        noise = rng.integers(-12, 13, field.shape, dtype=np.int16)
        image = np.clip(field + noise, 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format='JPEG', quality=90)
        files.append(buf.getvalue())
    return files


def write_synthetic_cub(root: str, num_images: int, num_classes: int,
                        jpegs: List[bytes]) -> str:
    """CUB-200-2011's layout with ``num_images`` train images (labels
    cycling over ``num_classes``, files cycling over ``jpegs``)."""
    labels = [i % num_classes for i in range(num_images)]
    return write_cub_layout(
        root, [jpegs[i % len(jpegs)] for i in range(num_images)], labels,
        [True] * num_images, [f'class_{c}' for c in range(num_classes)])


def write_synthetic_imagenet(root: str, num_images: int, num_classes: int,
                             jpegs: List[bytes]) -> str:
    """ImageNet's train layout (``meta/train.txt``) with ``num_images``
    images (labels cycling over ``num_classes``, files over ``jpegs``)."""
    labels = [i % num_classes for i in range(num_images)]
    return write_imagenet_layout(
        root, 'train', [jpegs[i % len(jpegs)] for i in range(num_images)],
        labels, [f'n{c:08d}' for c in range(num_classes)])


def write_in1k_checkpoint(path: str, model_cfg: dict,
                          num_classes: int = 1000, seed: int = 0) -> str:
    """Save a randomly initialised mmpretrain ``ImageClassifier`` as a
    checkpoint shaped like mmpretrain's ImageNet-1k ones: ``{'meta',
    'state_dict'}`` with ``backbone.*`` and ``head.fc.*`` keys.

    Args:
        path (str): Where to save it.
        model_cfg (dict): An ``ImageClassifier`` config (e.g. the plain
            config's ``model``); its head gets ``num_classes`` and no
            pre-trained weights are loaded.
        num_classes (int): Classes of the head. Defaults to 1000.
        seed (int): Seed of the initialisation. Defaults to 0.

    Returns:
        str: ``path``.
    """
    from mmpretrain.registry import MODELS
    cfg = dict(model_cfg)
    cfg['backbone'] = dict(cfg['backbone'], init_cfg=None)
    cfg['head'] = dict(cfg['head'], num_classes=num_classes)
    cfg.pop('data_preprocessor', None)
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    model.init_weights()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save(
        dict(
            meta=dict(dataset_meta=dict(
                classes=[f'c{i}' for i in range(num_classes)])),
            state_dict=model.state_dict()), path)
    return path
