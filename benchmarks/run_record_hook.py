"""Hook that records what a benchmark run saw, to check the pairing."""
import hashlib
import json
import os.path as osp
import time
from typing import Optional

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

__all__ = ['RunRecordHook', 'sequence_digest', 'tensor_digest']


def tensor_digest(*tensors: torch.Tensor) -> str:
    """First 16 hex digits of the SHA-1 of the tensors' bytes."""
    sha = hashlib.sha1()
    for t in tensors:
        sha.update(t.detach().cpu().contiguous().numpy().tobytes())
    return sha.hexdigest()[:16]


def sequence_digest(digests) -> str:
    """One digest of a run's per-iteration ``batch_digests``."""
    return hashlib.sha1(''.join(digests).encode()).hexdigest()[:16]


@HOOKS.register_module()
class RunRecordHook(Hook):
    """Record the target batches, the head's initial weights and the
    training time of each epoch.

    A paired comparison of methods is honest only if, for one seed, every
    method starts from the same new head and trains on the same target
    images with the same augmentations. This hook writes evidence of it
    into ``runner.run_record`` (a dict):

    - ``head_init``: digest of ``model.head``'s weights when training
      starts (after the checkpoint is loaded);
    - ``target_batches`` / ``target_labels``: per iteration, the dataset
      indices and labels of the target samples (a sample whose
      ``domain`` is ``'source'`` is left out);
    - ``batch_digests``: per iteration, a digest of those indices, labels
      and augmented target pixels (the loader's ``uint8`` images);
    - ``epoch_seconds``: cumulative training time (validation excluded) at
      the end of each epoch.

    With ``out_file``, the record (without the per-iteration indices and
    labels) is also written there, relative to the work_dir, by rank 0 when
    training ends: the evidence of a run in another process.
    It only reads: it draws no random number and changes nothing.

    Args:
        out_file (str, optional): JSON file to write. Defaults to None.
    """

    priority = 'LOWEST'

    def __init__(self, out_file: Optional[str] = None):
        self.out_file = out_file

    def before_train(self, runner) -> None:
        """Digest of the new head as training starts."""
        head = get_ori_model(runner.model).head
        runner.run_record = dict(
            head_init=tensor_digest(*head.state_dict().values()),
            target_batches=[], target_labels=[], batch_digests=[],
            epoch_seconds=[])
        self._train_seconds = 0.0
        self._epoch_start: Optional[float] = None

    def before_train_epoch(self, runner) -> None:
        self._epoch_start = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        self._train_seconds += time.perf_counter() - self._epoch_start
        runner.run_record['epoch_seconds'].append(self._train_seconds)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Record this iteration's target samples."""
        samples = data_batch['data_samples']
        keep = [
            i for i, s in enumerate(samples) if s.get('domain') != 'source'
        ]
        indices = [int(samples[i].get('sample_idx')) for i in keep]
        labels = [int(samples[i].gt_label[0]) for i in keep]
        inputs = data_batch['inputs']
        pixels = [inputs[i] for i in keep]
        if isinstance(inputs, torch.Tensor):
            pixels = [inputs[keep]] if keep else []
        record = runner.run_record
        record['target_batches'].append(indices)
        record['target_labels'].append(labels)
        record['batch_digests'].append(
            tensor_digest(torch.from_numpy(np.array(indices + labels)),
                          *pixels))

    def after_train(self, runner) -> None:
        """Write the record to ``out_file`` (rank 0)."""
        if self.out_file is None or not is_main_process():
            return
        record = {
            k: v for k, v in runner.run_record.items()
            if k not in ('target_batches', 'target_labels')
        }
        with open(osp.join(runner.work_dir, self.out_file), 'w') as f:
            json.dump(record, f)
