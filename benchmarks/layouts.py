"""Write images in the on-disk layouts mmpretrain reads (ImageNet, CUB).

Used by the embedded demo, the benchmark and the tests: what they write is
read back by mmpretrain's own ``ImageNet`` / ``CUB`` dataset classes.
"""
import os
import os.path as osp
from typing import Sequence, Union

import numpy as np
from PIL import Image

__all__ = ['write_imagenet_layout', 'write_cub_layout']


def _save(path: str, image: Union[np.ndarray, bytes]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    if isinstance(image, bytes):  # an encoded file: written as it is
        with open(path, 'wb') as f:
            f.write(image)
    else:
        Image.fromarray(image).save(path, quality=95)


def write_imagenet_layout(root: str, split: str, images: Sequence[np.ndarray],
                          labels: Sequence[int],
                          class_names: Sequence[str]) -> str:
    """Write ``root/<split>/<class>/<i>.JPEG`` and ``root/meta/<split>.txt``.

    Args:
        root (str): Dataset root (``data_root`` of mmpretrain's ImageNet).
        split (str): ``'train'`` or ``'val'``.
        images (Sequence[np.ndarray | bytes]): ``uint8`` images
            ``(H, W, 3)``, or encoded JPEG files (written as they are).
        labels (Sequence[int]): Label of each image, an index into
            ``class_names``.
        class_names (Sequence[str]): Folder name of each class.

    Returns:
        str: ``root``.
    """
    lines = []
    for i, (image, label) in enumerate(zip(images, labels)):
        rel = f'{class_names[label]}/{split}_{i:06d}.JPEG'
        _save(osp.join(root, split, rel), image)
        lines.append(f'{rel} {int(label)}')
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return root


def write_cub_layout(root: str, images: Sequence[np.ndarray],
                     labels: Sequence[int], is_train: Sequence[bool],
                     class_names: Sequence[str]) -> str:
    """Write CUB-200-2011's layout: ``images/``, ``images.txt``,
    ``image_class_labels.txt`` and ``train_test_split.txt`` (1-based ids).

    Args:
        root (str): Dataset root (``data_root`` of mmpretrain's CUB).
        images (Sequence[np.ndarray | bytes]): ``uint8`` images
            ``(H, W, 3)``, or encoded JPEG files (written as they are).
        labels (Sequence[int]): 0-based label of each image.
        is_train (Sequence[bool]): Whether each image is in the train split.
        class_names (Sequence[str]): Folder name of each class.

    Returns:
        str: ``root``.
    """
    names, class_lines, split_lines = [], [], []
    for i, (image, label, train) in enumerate(zip(images, labels, is_train)):
        rel = f'{int(label) + 1:03d}.{class_names[label]}/img_{i:06d}.jpg'
        _save(osp.join(root, 'images', rel), image)
        names.append(f'{i + 1} {rel}')
        class_lines.append(f'{i + 1} {int(label) + 1}')
        split_lines.append(f'{i + 1} {int(bool(train))}')
    for name, lines in (('images.txt', names),
                        ('image_class_labels.txt', class_lines),
                        ('train_test_split.txt', split_lines)):
        with open(osp.join(root, name), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return root
