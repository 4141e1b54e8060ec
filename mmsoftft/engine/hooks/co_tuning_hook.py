"""Hook of Co-Tuning: the category relationship before training."""
import random
from contextlib import contextmanager
from typing import List, Optional

import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.dist import all_reduce, get_dist_info
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS, TRANSFORMS
from mmpretrain.utils import get_ori_model
from torch.utils.data import DataLoader, Dataset

__all__ = ['CoTuningHook']


class _Reprepared(Dataset):
    """The samples of ``dataset`` (its annotations, from
    ``get_data_info``) through another ``pipeline``, at ``indices``."""

    def __init__(self, dataset, pipeline, indices):
        self.dataset, self.pipeline, self.indices = dataset, pipeline, indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, idx):
        info = self.dataset.get_data_info(self.indices[idx])
        if info.get('domain') == 'source':
            raise ValueError(
                'CoTuningHook relates the target classes to the source '
                'classes on target images only, but the training data hold '
                'source samples: train on the plain target data')
        return self.pipeline(info)


@contextmanager
def _keep_random_state():
    """Leave torch's, numpy's and Python's global random streams as they
    were, so the training that follows draws what plain fine-tuning
    draws."""
    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)


@HOOKS.register_module()
class CoTuningHook(Hook):
    """Compute Co-Tuning's category relationship before training.

    Co-Tuning (You, Kou, Jiang & Long, NeurIPS 2020, see
    :class:`CoTuningClassifier`) trains the source head toward
    :math:`R[y_t]`, with :math:`R = p(y_s \\mid y_t)` taken from the
    pre-trained model. In ``before_train`` (after the pre-trained weights
    are loaded, before any step) this hook passes every sample of the
    training set through ``pipeline`` (unaugmented: by default the val
    dataloader's), the model's data preprocessor, backbone, neck and
    source head, in eval mode and without gradient, and sets

    .. math::

        R[c] = \\frac{1}{|\\{i : y_i = c\\}|} \\sum_{i : y_i = c}
        \\mathrm{softmax}(source\\_head(f(x_i)))

    the paper's direct form (it also calibrates; not done here). Every
    module's train/eval mode and the global random streams are restored
    afterwards. Under distributed training each rank takes every
    ``world_size``-th sample and the sums are all-reduced, so every rank
    holds the same ``R``. A dataset wrapper that repeats samples (e.g.
    ``ClassBalancedDataset``) weights them as often as it repeats them.

    When the model already holds a relationship (resumed, or loaded with
    ``load_from``, from a Co-Tuning checkpoint), it is kept: a resumed run
    continues with the ``R`` of its start. Either way the hook marks the
    model ready: :class:`CoTuningClassifier` refuses to train without it.

    Args:
        pipeline (list[dict], optional): The transforms that prepare the
            training images for the relationship. Defaults to None, the
            val dataloader's dataset pipeline.
        batch_size (int, optional): Images per forward pass, >= 1.
            Defaults to None, the val dataloader's batch size.
        num_workers (int, optional): Loader worker processes, >= 0.
            Defaults to None, the val dataloader's.
    """

    priority = 'NORMAL'

    def __init__(self,
                 pipeline: Optional[List[dict]] = None,
                 batch_size: Optional[int] = None,
                 num_workers: Optional[int] = None):
        if pipeline is not None:
            if not isinstance(pipeline, (list, tuple)) or not all(
                    isinstance(t, dict) for t in pipeline):
                raise TypeError('`pipeline` should be a list of transform '
                                f'configs (dicts) or None, but got '
                                f'{pipeline!r}')
            pipeline = Compose([TRANSFORMS.build(t) for t in pipeline])
        for key, value, least in (('batch_size', batch_size, 1),
                                  ('num_workers', num_workers, 0)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f'`{key}` should be an int or None, but got '
                                f'{value!r}')
            if value < least:
                raise ValueError(f'`{key}` should be >= {least}, but got '
                                 f'{value}')
        self.pipeline = pipeline
        self.batch_size = batch_size
        self.num_workers = num_workers

    def before_train(self, runner) -> None:
        """Compute ``R`` unless the model already holds it; mark the model
        ready."""
        model = get_ori_model(runner.model)
        if not hasattr(model, 'set_relationship'):
            raise TypeError('CoTuningHook needs a CoTuningClassifier, but '
                            f'got {type(model).__name__}')
        if model.relationship_computed:
            runner.logger.info(
                'CoTuningHook: the category relationship comes from the '
                'loaded checkpoint, not recomputed')
        else:
            model.set_relationship(self.relationship(runner, model))
        model.relationship_checked = True

    def _loader_settings(self, runner) -> tuple:
        """``(pipeline, batch_size, num_workers)``, the val dataloader's
        where not configured."""
        settings = [self.pipeline, self.batch_size, self.num_workers]
        if None in settings:
            val = runner.val_loop
            if val is None or not hasattr(val.dataloader.dataset,
                                          'pipeline'):
                raise ValueError(
                    'CoTuningHook takes `pipeline`, `batch_size` and '
                    '`num_workers` from the val dataloader when they are '
                    'not set, but there is no val dataloader with a '
                    'dataset pipeline: set them in the hook config')
            loader = val.dataloader
            defaults = [loader.dataset.pipeline, loader.batch_size,
                        loader.num_workers]
            settings = [d if s is None else s
                        for s, d in zip(settings, defaults)]
        return tuple(settings)

    def relationship(self, runner, model) -> torch.Tensor:
        """``R``, shape ``(num target classes, num source classes)``, from
        ``model`` as it is now (see the class docstring).

        Raises:
            ValueError: If a label is outside the target head's classes, or
                a target class has no training image.
        """
        pipeline, batch_size, num_workers = self._loader_settings(runner)
        dataset = runner.train_dataloader.dataset
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        rank, world_size = get_dist_info()
        data = _Reprepared(dataset, pipeline,
                           range(rank, len(dataset), world_size))
        sums = torch.zeros_like(model.relationship, dtype=torch.float64)
        counts = torch.zeros_like(sums[:, 0])
        modes = [(m, m.training) for m in model.modules()]
        model.eval()
        try:
            with _keep_random_state(), torch.no_grad():
                loader = DataLoader(
                    data, batch_size=batch_size, num_workers=num_workers,
                    shuffle=False, collate_fn=pseudo_collate)
                for batch in loader:
                    batch = model.data_preprocessor(batch, False)
                    probs = model.source_head(
                        model.extract_feat(batch['inputs'])).float().softmax(
                            dim=1)
                    labels = torch.cat([
                        s.gt_label for s in batch['data_samples']
                    ]).to(sums.device)
                    bad = labels[(labels < 0) | (labels >= len(sums))]
                    if len(bad):
                        raise ValueError(
                            f'CoTuningHook found the training label '
                            f'{int(bad[0])}, outside the target head\'s '
                            f'{len(sums)} classes')
                    sums.index_add_(0, labels, probs.double())
                    counts.index_add_(0, labels, torch.ones_like(
                        labels, dtype=counts.dtype))
        finally:
            for module, training in modes:
                module.training = training
        all_reduce(sums)
        all_reduce(counts)
        empty = (counts == 0).nonzero().flatten().tolist()
        if empty:
            raise ValueError(
                f'CoTuningHook needs training images of every target class '
                f'to relate it to the source classes, but classes {empty} '
                f'of {len(sums)} have none')
        runner.logger.info(
            f'CoTuningHook: category relationship p(y_s | y_t) of '
            f'{len(sums)} target x {sums.shape[1]} source classes computed '
            f'from {int(counts.sum())} training images')
        return (sums / counts[:, None]).to(model.relationship.dtype)
