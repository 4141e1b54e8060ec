"""The demo's data and pre-trained model, where ``configs/demo/*.py`` read
them.

The demo configs name their inputs with paths relative to the working
directory (the repository root in the README's commands): the source digits
(``ImageNet`` layout), the target task (``CUB`` layout) and the pre-trained
checkpoint. :func:`demo_paths` reads those paths from the configs themselves
and :func:`prepare_demo` writes there, so ``tools/demo.py --prepare-only``
followed by ``tools/train.py configs/demo/softft_digits.py`` (or
``tools/dist_train.sh``) trains the demo with no ``--cfg-options``.
"""
import os
import os.path as osp
import shutil
from typing import Optional

from mmengine.config import Config

from .digits import load_digit_images, write_digits_source, write_digits_target
from .train_job import run_training

__all__ = [
    'SOURCE_DIGITS', 'TARGET_DIGITS', 'demo_paths', 'prepare_demo',
    'pretrain_demo_model', 'write_demo_data'
]

SOURCE_DIGITS = [0, 1, 2, 3, 4]
TARGET_DIGITS = [5, 6, 7, 8, 9]


def demo_paths(config_dir: str) -> dict:
    """Where the demo configs read their inputs.

    Args:
        config_dir (str): The ``configs/demo`` directory.

    Returns:
        dict: ``source`` and ``target`` data roots, ``pretrained``
        checkpoint path.

    Raises:
        ValueError: If two demo configs disagree on a path.
    """
    plain = Config.fromfile(osp.join(config_dir, 'finetune_digits.py'))
    soft = Config.fromfile(osp.join(config_dir, 'softft_digits.py'))
    pretrain = Config.fromfile(osp.join(config_dir, 'digits_pretrain.py'))
    soft_data = soft.train_dataloader.dataset
    found = dict(
        source=[('digits_pretrain.py train_dataloader.dataset.data_root',
                 pretrain.train_dataloader.dataset.data_root),
                ('softft_digits.py train_dataloader.dataset.source.data_root',
                 soft_data.source.data_root)],
        target=[('finetune_digits.py train_dataloader.dataset.data_root',
                 plain.train_dataloader.dataset.data_root),
                ('softft_digits.py train_dataloader.dataset.target.data_root',
                 soft_data.target.data_root)],
        pretrained=[
            ('finetune_digits.py model.backbone.init_cfg.checkpoint',
             plain.model.backbone.init_cfg.checkpoint),
            ('softft_digits.py model.backbone.init_cfg.checkpoint',
             soft.model.backbone.init_cfg.checkpoint)
        ])
    paths = {}
    for name, keys in found.items():
        if len({path for _, path in keys}) != 1:
            raise ValueError(f'The demo configs disagree on the {name} '
                             f'path: {keys}')
        paths[name] = keys[0][1]
    return paths


def write_demo_data(config_dir: str, shots: int = 10, seed: int = 0) -> dict:
    """Write the demo's source and target images at :func:`demo_paths`.

    The source is digits 0-4 in ImageNet's layout; the target task is
    digits 5-9 in CUB's layout with ``shots`` labelled images per class
    (rewritten every time, since it depends on ``shots`` and ``seed``).

    Args:
        config_dir (str): The ``configs/demo`` directory.
        shots (int): Labelled target images per class. Defaults to 10.
        seed (int): Seed of the target sample. Defaults to 0.

    Returns:
        dict: The paths of :func:`demo_paths`.
    """
    paths = demo_paths(config_dir)
    for root in (paths['source'], paths['target']):
        if osp.exists(root):
            shutil.rmtree(root)
    images, labels = load_digit_images()
    write_digits_source(paths['source'], SOURCE_DIGITS, images, labels)
    write_digits_target(paths['target'], TARGET_DIGITS, images, labels,
                        shots=shots, seed=seed)
    return paths


def pretrain_demo_model(config_dir: str,
                        pretrain_epochs: Optional[int] = None,
                        work_dir: str = 'work_dirs/demo/pretrain') -> bool:
    """Train ``digits_pretrain.py`` on the demo's source images and copy
    its checkpoint to :func:`demo_paths`' ``pretrained``, unless that file
    exists.

    Args:
        config_dir (str): The ``configs/demo`` directory.
        pretrain_epochs (int, optional): Pre-training epochs. Defaults to
            None, the config's.
        work_dir (str): Work dir of the pre-training run.
            Defaults to ``'work_dirs/demo/pretrain'``.

    Returns:
        bool: Whether it trained (False: the checkpoint existed).
    """
    pretrained = demo_paths(config_dir)['pretrained']
    if osp.exists(pretrained):
        return False
    options = {}
    if pretrain_epochs is not None:
        options = {
            'train_cfg.max_epochs': pretrain_epochs,
            'param_scheduler.0.end': pretrain_epochs,
            'param_scheduler.0.T_max': pretrain_epochs,
            'default_hooks.checkpoint.interval': pretrain_epochs,
        }
    job = run_training(
        osp.join(config_dir, 'digits_pretrain.py'), work_dir, options)
    os.makedirs(osp.dirname(pretrained) or '.', exist_ok=True)
    shutil.copy(job['checkpoint'], pretrained)
    return True


def prepare_demo(config_dir: str,
                 shots: int = 10,
                 seed: int = 0,
                 pretrain_epochs: Optional[int] = None,
                 pretrain_work_dir: str = 'work_dirs/demo/pretrain') -> dict:
    """Write the demo data and, unless it exists, the pre-trained model at
    :func:`demo_paths` (:func:`write_demo_data`, then
    :func:`pretrain_demo_model`).

    Args:
        config_dir (str): The ``configs/demo`` directory.
        shots (int): Labelled target images per class. Defaults to 10.
        seed (int): Seed of the target sample. Defaults to 0.
        pretrain_epochs (int, optional): Pre-training epochs. Defaults to
            None, the config's.
        pretrain_work_dir (str): Work dir of the pre-training run.
            Defaults to ``'work_dirs/demo/pretrain'``.

    Returns:
        dict: The paths of :func:`demo_paths`.
    """
    paths = write_demo_data(config_dir, shots, seed)
    pretrain_demo_model(config_dir, pretrain_epochs, pretrain_work_dir)
    return paths
