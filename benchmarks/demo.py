"""The embedded demo (``tools/demo.py``): plain vs soft fine-tuning on the
digits, one line per phase.

The phases (demo data, source pre-training, plain and soft fine-tuning) run
the ordinary Runner; what it prints (hook tables, per-iteration logs,
warnings) goes to ``<work_dir>/demo.log``, and each run keeps mmengine's own
log and scalars under ``<work_dir>/<run>/<timestamp>/``. The terminal gets
one line per phase with its time, then the result.
"""
import os
import os.path as osp
from typing import Optional

from .demo_data import (
    SOURCE_DIGITS,
    TARGET_DIGITS,
    pretrain_demo_model,
    write_demo_data,
)
from .progress import Phases
from .train_job import run_training

__all__ = ['result_lines', 'run_demo']


def _digits(classes) -> str:
    return f'{classes[0]}-{classes[-1]}'


def result_lines(plain: dict, soft: dict, shots: int, seed: int,
                 epochs: int) -> list:
    """The demo's result: both top-1 accuracies and their difference."""
    plain_acc = plain['metrics']['accuracy/top1']
    soft_acc = soft['metrics']['accuracy/top1']
    return [
        f'Target task: digits {_digits(TARGET_DIGITS)}, {shots} labelled '
        f'images per class, seed {seed}, {epochs} epochs',
        f'plain fine-tuning  top-1: {plain_acc:6.2f} %  '
        f'({plain["seconds"]:.0f} s)',
        f'soft fine-tuning   top-1: {soft_acc:6.2f} %  '
        f'({soft["seconds"]:.0f} s)',
        f'difference (soft - plain): {soft_acc - plain_acc:+.2f} points '
        '(one seed; tools/compare_methods.py compares many)'
    ]


def run_demo(config_dir: str,
             work_dir: str = 'work_dirs/demo',
             shots: int = 10,
             seed: int = 0,
             epochs: int = 30,
             pretrain_epochs: Optional[int] = None,
             prepare_only: bool = False,
             retrain: bool = False) -> Optional[dict]:
    """Write the data, pre-train the source model (unless a checkpoint
    made with the same pre-training settings exists), fine-tune plainly
    and softly; print one line per phase and the result.

    Args:
        config_dir (str): The ``configs/demo`` directory.
        work_dir (str): Where the runs and ``demo.log`` go.
            Defaults to ``'work_dirs/demo'``.
        shots (int): Labelled target images per class. Defaults to 10.
        seed (int): Seed of the target sample and of both fine-tunings.
            Defaults to 0.
        epochs (int): Fine-tuning epochs of both methods. Defaults to 30.
        pretrain_epochs (int, optional): Source pre-training epochs.
            Defaults to None, ``digits_pretrain.py``'s.
        prepare_only (bool): Stop after the data and the pre-trained model.
            Defaults to False.
        retrain (bool): Pre-train even if a checkpoint is there (e.g. one
            made some other way). Defaults to False.

    Returns:
        dict | None: ``plain`` and ``soft``, the two runs (as
        :func:`run_training` returns them); None with ``prepare_only``.
    """
    os.makedirs(work_dir, exist_ok=True)
    log_path = osp.join(work_dir, 'demo.log')
    # open for the whole demo: each Runner's console handler writes here
    log = open(log_path, 'w')
    phases = Phases(2 if prepare_only else 4, log)
    with phases.phase('demo data') as note:
        paths = write_demo_data(config_dir, shots, seed)
        note['text'] = (
            f'digits {_digits(SOURCE_DIGITS)} in {paths["source"]} (source), '
            f'{_digits(TARGET_DIGITS)} in {paths["target"]} (target, '
            f'{shots} per class)')
    with phases.phase('source pre-training') as note:
        note['text'] = pretrain_demo_model(
            config_dir, pretrain_epochs, osp.join(work_dir, 'pretrain'),
            retrain)['note']
    if prepare_only:
        print(f'Demo data: {paths["source"]} (source), {paths["target"]} '
              f'(target); pre-trained model: {paths["pretrained"]}')
        print(f'Full log: {log_path}')
        return None
    schedule = {
        'train_cfg.max_epochs': epochs,
        'train_cfg.val_interval': epochs,
        'param_scheduler.0.end': epochs,
        'param_scheduler.0.T_max': epochs,
        'randomness.seed': seed,
        'val_dataloader.dataset.data_root': paths['target'],
        'test_dataloader.dataset.data_root': paths['target'],
        'model.backbone.init_cfg.checkpoint': paths['pretrained'],
    }
    runs = dict(
        plain=('finetune_digits.py', 'finetune', {
            'train_dataloader.dataset.data_root': paths['target'],
        }),
        soft=('softft_digits.py', 'softft', {
            'train_dataloader.dataset.target.data_root': paths['target'],
            'train_dataloader.dataset.source.data_root': paths['source'],
        }))
    jobs = {}
    for name, (config, folder, data) in runs.items():
        with phases.phase(f'{name} fine-tuning ({config}, {epochs} '
                          'epochs)') as note:
            jobs[name] = run_training(
                osp.join(config_dir, config), osp.join(work_dir, folder),
                {**schedule, **data})
            note['text'] = \
                f'top-1 {jobs[name]["metrics"]["accuracy/top1"]:.2f} %'
    print('\n'.join(['', *result_lines(jobs['plain'], jobs['soft'], shots,
                                       seed, epochs)]))
    print(f'Full logs: {log_path}; each run\'s mmengine log and scalars '
          f'under {work_dir}/{{pretrain,finetune,softft}}/')
    return jobs
