"""One run of a compared method, and the models and scores around it.

A run trains a method's config on one cell (task, condition, seed) through
:func:`run_training`, with :class:`RunRecordHook` (evidence of the pairing,
time per epoch), then measures general discrimination with
``GeneralDiscriminationMetric`` on the task's probe images. The pairing
itself comes from the package: every shipped classifier builds its extra
modules without drawing from the global random stream (the new head starts
as plain fine-tuning's for the seed) and ``SourceTargetDataset`` prepares
source samples on a stream of their own (the target crops are plain's).
"""
import copy
import functools
import logging
import os.path as osp
import time
from typing import Callable, Dict, List, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger
from mmengine.runner import load_checkpoint
from mmengine.visualization import Visualizer
from mmpretrain.registry import MODELS
from mmpretrain.utils import get_ori_model

from mmsoftft.evaluation import GeneralDiscriminationMetric

from . import run_record_hook  # noqa: F401 (registered for the configs)
from .baselines import model_features
from .methods import SOURCE_BATCH_KEY, Method, RunSpec, method_options
from .source_top1_hook import SourceTop1Hook
from .train_job import run_training

__all__ = [
    'build_classifier', 'classify_top1', 'load_config', 'probe_top1',
    'release_runner', 'run_method', 'val_epochs'
]


@functools.lru_cache(maxsize=None)
def _load(path: str) -> Config:
    return Config.fromfile(path)


def load_config(path: str) -> Config:
    """A copy of the config file's ``Config``, read once per process
    (reading resolves ``mmpretrain::`` bases, about 0.5 s)."""
    return copy.deepcopy(_load(osp.abspath(path)))


def build_classifier(config: str, options: dict,
                     checkpoint: Optional[str] = None,
                     seed: int = 0) -> torch.nn.Module:
    """The model of a config (with its top-level ``data_preprocessor``),
    weights from ``checkpoint`` or, without one, its own initialisation
    drawn with ``seed``; in eval mode."""
    cfg = load_config(config)
    cfg.merge_from_dict(options)
    model_cfg = cfg.model.to_dict()
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = MODELS.build(model_cfg)
        if checkpoint is None:
            model.init_weights()
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu',
                        logger='silent')
    return model.eval()


def classify_top1(model: torch.nn.Module, images: np.ndarray,
                  labels: np.ndarray, batch_size: int = 256) -> float:
    """Top-1 (%) of a classifier on ``uint8`` images ``(N, H, W, 3)``."""
    correct = 0
    model.eval()
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            x = torch.from_numpy(images[start:start + batch_size])
            data = model.data_preprocessor(
                dict(inputs=x.permute(0, 3, 1, 2).contiguous()), False)
            pred = model(data['inputs'], mode='tensor').argmax(1).numpy()
            correct += int((pred == labels[start:start + batch_size]).sum())
    return 100.0 * correct / len(images)


def probe_top1(features: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """``GeneralDiscriminationMetric`` (leave-one-out k-NN top-1, %) of
    probe features ``(N, D)``."""
    metric = GeneralDiscriminationMetric(k=k)
    metric.process(None, [
        dict(pred_feat=torch.from_numpy(np.asarray(f, np.float32)),
             gt_label=int(y)) for f, y in zip(features, labels)
    ])
    return metric.compute_metrics(metric.results)['top1']


def val_epochs(epochs: int, interval: int) -> List[int]:
    """Epochs after which mmengine's loop validates."""
    return [e for e in range(1, epochs + 1) if e % interval == 0 or
            e == epochs]


def release_runner(runner) -> None:
    """Close a finished runner's log file and forget its global instances
    (hundreds of runs share one process)."""
    name = runner.experiment_name
    logger = runner.logger
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            logger.removeHandler(handler)
    for cls in (MMLogger, MessageHub, Visualizer):
        cls._instance_dict.pop(name, None)


def run_method(method: Method, spec: RunSpec, params: dict, work_dir: str,
               config_dir: str, name: str,
               probe: Optional[tuple] = None,
               source_test: Optional[tuple] = None,
               scores: Optional[Callable[[torch.nn.Module], dict]] = None
               ) -> Dict:
    """Train one method on one cell and measure it.

    Args:
        method (Method): The method.
        spec (RunSpec): Data, schedule, size and seed.
        params (dict): Hyper-parameters (grid keys) to set.
        work_dir (str): The run's work_dir.
        config_dir (str): Where ``method.config`` is.
        name (str): Unique experiment name.
        probe (tuple, optional): Probe images ``(N, H, W, 3)`` and labels;
            None skips the general-discrimination probe.
        source_test (tuple, optional): Held-out source images and their
            source labels: a method that keeps the source head (its
            config's model has a ``source_head``) records the head's top-1
            on them at step 0 and after every validation
            (:class:`SourceTop1Hook`). None records nothing.
        scores (Callable, optional): More scores of the trained model
            (e.g. its source top-1), merged into the record; not called
            for a diverged run. Defaults to None.

    Returns:
        dict: ``top1`` (last validation; chance level, 100 / classes, if
        the run ``diverged``), ``diverged`` (None, or the message of its
        non-finite loss), ``curve`` ([epoch, top1] at each validation it
        made), ``source_curve`` ([step, source top-1] at step 0 and
        each validation, with ``source_test`` for a method with a source
        head; ``source_bn_curve`` the same with the source's BatchNorm
        statistics; ``forgetting_seconds`` the time measuring them took,
        within the training time), ``source_batch_size`` (source
        images per step; None for a method without source images),
        ``probe_top1`` (not for a diverged run), the
        :class:`RunRecordHook` record, ``steps``, ``train_seconds``
        (``runner.train()``),
        ``wall_seconds`` and ``cpu_seconds`` (build, train, probe and
        ``scores``).
    """
    cfg = load_config(osp.join(config_dir, method.config))
    options = method_options(method, cfg, params, spec,
                             [dict(type='RunRecordHook')])
    forgetting = []
    if source_test is not None and 'source_head' in cfg.model:
        forgetting = [SourceTop1Hook(*source_test)]
    wall, cpu = time.perf_counter(), time.process_time()
    job = run_training(cfg, work_dir, options, experiment_name=name,
                       allow_divergence=True, hooks=forgetting)
    runner = job['runner']
    curve = job['history'].get('accuracy/top1', [])
    epochs = val_epochs(spec.epochs, spec.val_interval)
    diverged = job['diverged']
    if diverged is None and len(curve) != len(epochs):
        raise RuntimeError(f'{name}: {len(curve)} validations, expected '
                           f'{len(epochs)} (after epochs {epochs})')
    # a run that diverged predicts nothing: it scores chance level
    top1 = curve[-1] if diverged is None else 100.0 / spec.num_target
    out = dict(runner.run_record, top1=top1, diverged=diverged,
               curve=[[e, a] for e, a in zip(epochs, curve)],
               steps=runner.max_iters, train_seconds=job['seconds'],
               source_batch_size=options.get(SOURCE_BATCH_KEY))
    if forgetting:
        out['source_curve'] = forgetting[0].curve
        out['source_bn_curve'] = forgetting[0].source_bn_curve
        out['forgetting_seconds'] = forgetting[0].seconds
    weights = runner.message_hub.log_scalars.get('train/source_weight')
    if weights is not None:
        w = [float(v) for v in weights.data[0]]
        out['source_weight_steps'] = sum(v > 0 for v in w)
    if probe is not None and diverged is None:
        model = get_ori_model(runner.model)
        out['probe_top1'] = probe_top1(model_features(model)(probe[0]),
                                       probe[1])
    if scores is not None and diverged is None:
        out.update(scores(get_ori_model(runner.model)))
    release_runner(runner)
    out['wall_seconds'] = time.perf_counter() - wall
    out['cpu_seconds'] = time.process_time() - cpu
    return out
