"""Hook that measures the source head on held-out source images during
fine-tuning: the forgetting curve."""
import copy
import time
from typing import List

import numpy as np
import torch
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['SourceTop1Hook', 'source_head_top1']


def _batches(model, images, batch_size):
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(images[start:start + batch_size])
        data = model.data_preprocessor(
            dict(inputs=x.permute(0, 3, 1, 2).contiguous()), False)
        yield start, model.extract_feat(data['inputs'])


def _with_source_bn(model: torch.nn.Module, images: np.ndarray,
                    batch_size: int) -> torch.nn.Module:
    """A copy of ``model`` whose BatchNorm running statistics are those
    of ``images`` (reset, then the cumulative mean over one pass, the
    rest of the network in eval mode)."""
    model = copy.deepcopy(model).eval()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    with torch.no_grad():
        for _ in _batches(model, images, batch_size):
            pass
    return model.eval()


def source_head_top1(model: torch.nn.Module, images: np.ndarray,
                     labels: np.ndarray, batch_size: int = 256,
                     source_bn: bool = False) -> float:
    """Top-1 (%) of a classifier's ``source_head`` on ``uint8`` images
    ``(N, H, W, 3)``: the model's ``data_preprocessor`` (not training),
    ``extract_feat`` and the source head, as ``classify_top1`` runs a
    model's own head. Every module is in eval mode while it measures and
    gets its own mode back afterwards.

    With ``source_bn``, measured on a copy whose BatchNorm statistics are
    re-estimated on ``images`` (the model is left as it is): what the
    weights still know of the source task, apart from the running
    statistics, which fine-tuning moves to the target's."""
    if source_bn:
        model = _with_source_bn(model, images, batch_size)
    modes = {m: m.training for m in model.modules()}
    model.eval()
    correct = 0
    try:
        with torch.no_grad():
            for start, feats in _batches(model, images, batch_size):
                pred = model.source_head(feats).argmax(1).cpu().numpy()
                correct += int(
                    (pred == labels[start:start + batch_size]).sum())
    finally:
        for module, mode in modes.items():
            module.training = mode
    return 100.0 * correct / len(images)


class SourceTop1Hook(Hook):
    """Record the source head's top-1 on held-out source images when
    training starts (step 0, the pre-trained head) and after every
    validation, as ``curve``: ``[[step, top1], ...]``.

    For a model that keeps its pre-trained source head (soft fine-tuning,
    joint training, LwF, Co-Tuning): how much of the source task the
    fine-tuning forgets. It draws no random number and changes no weight
    (the benchmark's runs stay paired); the images stay in memory, so the
    hook is registered on a built runner, not through a config.

    ``source_bn_curve`` is the same with BatchNorm statistics
    re-estimated on the source images (``source_head_top1(...,
    source_bn=True)``): fine-tuning moves the running statistics to the
    target's, and ``curve`` measures that too.

    Args:
        images (np.ndarray): ``uint8`` images ``(N, H, W, 3)``, as the
            source model's held-out top-1 is measured on them.
        labels (np.ndarray): Their source labels ``(N,)``.
    """

    priority = 'LOWEST'

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 4 or images.dtype != np.uint8 or \
                len(images) != len(labels) or len(images) == 0:
            raise ValueError(
                'images should be uint8 (N, H, W, 3) with N >= 1 labels, '
                f'but got {images.dtype} {images.shape} and '
                f'{labels.shape} labels')
        self.images = images
        self.labels = labels
        self.curve: List[list] = []
        self.source_bn_curve: List[list] = []
        # time spent measuring (inside the run's training time)
        self.seconds = 0.0

    def _measure(self, runner) -> None:
        start = time.perf_counter()
        try:
            self._measure_both(runner)
        finally:
            self.seconds += time.perf_counter() - start

    def _measure_both(self, runner) -> None:
        model = get_ori_model(runner.model)
        self.curve.append([runner.iter, source_head_top1(
            model, self.images, self.labels)])
        self.source_bn_curve.append([runner.iter, source_head_top1(
            model, self.images, self.labels, source_bn=True)])

    def before_train(self, runner) -> None:
        self.curve = []
        self.source_bn_curve = []
        self.seconds = 0.0
        self._measure(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._measure(runner)
