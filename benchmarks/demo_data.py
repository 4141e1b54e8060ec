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
import hashlib
import json
import os
import os.path as osp
import shutil
from typing import Optional

from mmengine.config import Config

from .digits import load_digit_images, write_digits_source, write_digits_target
from .train_job import run_training

__all__ = [
    'SOURCE_DIGITS', 'TARGET_DIGITS', 'demo_paths', 'prepare_demo',
    'pretrain_demo_model', 'pretrain_settings', 'write_demo_data'
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


def pretrain_settings(config_dir: str,
                      pretrain_epochs: Optional[int] = None) -> dict:
    """What the demo's pre-trained model depends on: the pre-training
    epochs (``pretrain_epochs``, else the config's) and a digest of the
    whole ``digits_pretrain.py`` config with them set. A cached
    checkpoint is reused only under the same settings."""
    cfg = Config.fromfile(osp.join(config_dir, 'digits_pretrain.py'))
    cfg.merge_from_dict(_epoch_options(pretrain_epochs))
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    return dict(epochs=cfg.train_cfg.max_epochs,
                config=hashlib.sha1(text.encode()).hexdigest()[:16])


def _epoch_options(pretrain_epochs: Optional[int]) -> dict:
    if pretrain_epochs is None:
        return {}
    return {
        'train_cfg.max_epochs': pretrain_epochs,
        'param_scheduler.0.end': pretrain_epochs,
        'param_scheduler.0.T_max': pretrain_epochs,
        'default_hooks.checkpoint.interval': pretrain_epochs,
    }


def pretrain_demo_model(config_dir: str,
                        pretrain_epochs: Optional[int] = None,
                        work_dir: str = 'work_dirs/demo/pretrain',
                        retrain: bool = False) -> dict:
    """Train ``digits_pretrain.py`` on the demo's source images and copy
    its checkpoint to :func:`demo_paths`' ``pretrained``, unless a
    checkpoint made with the same :func:`pretrain_settings` is there.

    The settings are written beside the checkpoint
    (``<checkpoint>.json``); a checkpoint made with other settings (e.g.
    other ``pretrain_epochs``) is replaced. One without that record (made
    some other way) is kept, and the note says so: ``retrain`` replaces
    it.

    Args:
        config_dir (str): The ``configs/demo`` directory.
        pretrain_epochs (int, optional): Pre-training epochs. Defaults to
            None, the config's.
        work_dir (str): Work dir of the pre-training run.
            Defaults to ``'work_dirs/demo/pretrain'``.
        retrain (bool): Train even if a checkpoint is there. Defaults to
            False.

    Returns:
        dict: ``trained`` (whether it trained) and ``note`` (why, for the
        demo's phase line).
    """
    pretrained = demo_paths(config_dir)['pretrained']
    record = pretrained + '.json'
    settings = pretrain_settings(config_dir, pretrain_epochs)
    cached = None
    if osp.exists(record):
        with open(record) as f:
            cached = json.load(f)
    if osp.exists(pretrained) and not retrain:
        if cached == settings:
            return dict(trained=False, note=(
                f'{pretrained} exists (trained for {_epochs(settings)}), '
                'not trained again'))
        if cached is None:
            return dict(trained=False, note=(
                f'{pretrained} exists WITHOUT a record of how it was '
                f'trained ({record}): used as it is, whatever the flags say'
                ' (--retrain replaces it)'))
    why = ''
    if retrain:
        why = ' (--retrain)'
    elif osp.exists(pretrained):
        why = (f' (the one there was made with other settings: {cached}, '
               f'now {settings})')
    job = run_training(osp.join(config_dir, 'digits_pretrain.py'),
                       work_dir, _epoch_options(pretrain_epochs))
    os.makedirs(osp.dirname(pretrained) or '.', exist_ok=True)
    shutil.copy(job['checkpoint'], pretrained)
    with open(record, 'w') as f:
        json.dump(settings, f)
    return dict(trained=True, note=(
        f'{pretrained} trained for {_epochs(settings)}{why}'))


def _epochs(settings: dict) -> str:
    n = settings['epochs']
    return f'{n} epoch' + ('' if n == 1 else 's')


def prepare_demo(config_dir: str,
                 shots: int = 10,
                 seed: int = 0,
                 pretrain_epochs: Optional[int] = None,
                 pretrain_work_dir: str = 'work_dirs/demo/pretrain') -> dict:
    """Write the demo data and, unless one made with the same settings
    exists, the pre-trained model at :func:`demo_paths`
    (:func:`write_demo_data`, then :func:`pretrain_demo_model`).

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
