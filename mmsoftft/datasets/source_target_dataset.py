"""Source-plus-target training set of soft fine-tuning."""
import copy
from typing import Union

import numpy as np
from mmengine.dataset import BaseDataset, force_full_init
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

from .image_file_check import describe_missing, missing_image_files

__all__ = ['SourceTargetDataset']

DOMAINS = ('source', 'target')


@DATASETS.register_module()
class SourceTargetDataset:
    """Pair a source dataset (e.g. ImageNet) with a target dataset (e.g. CUB).

    Each part is any mmpretrain dataset (config dict or instance) with its
    own pipeline and its own label space. Indices ``[0, len(target))`` are
    target samples and ``[len(target), len(target) + len(source))`` are
    source samples. ``len(self)`` is the target's length, so the runner's
    ordinary sampler (e.g. ``DefaultSampler``) walks the target set once per
    epoch, exactly as in plain fine-tuning, and
    :class:`SourceTargetBatchSampler` appends source indices to each batch.

    Every packed sample's ``data_samples`` carries ``domain`` (``'source'``
    or ``'target'``) in its metainfo next to the ``gt_label`` of its own
    domain, so label spaces never mix. ``metainfo`` is the target's, so
    evaluation, class names and checkpoints describe the target task.

    Bad data fails before training with errors naming ``source`` or
    ``target``: a missing or empty root, an empty dataset, image files the
    annotations name but that do not exist (see ``check_files``). During
    training a sample whose image cannot be loaded or decoded is skipped with
    a warning naming the file, and another sample of the same domain is
    fetched instead (at most ``max_refetch`` times); its data sample records
    the skipped files (``skipped_files``) and :class:`SoftFineTuneHook` logs
    their running count.

    Args:
        source (BaseDataset | dict): The source dataset or its config.
        target (BaseDataset | dict): The target dataset or its config.
        lazy_init (bool): Whether to delay loading annotations until
            :meth:`full_init`. Defaults to False.
        check_files (int): In :meth:`full_init`, check that the image files
            exist: all of a dataset with at most this many samples, else a
            random sample of this many. 0 checks none. Defaults to 1000.
        max_refetch (int): Most replacement samples fetched for one index
            whose image fails to load. Defaults to 10.
    """

    def __init__(self,
                 source: Union[BaseDataset, dict],
                 target: Union[BaseDataset, dict],
                 lazy_init: bool = False,
                 check_files: int = 1000,
                 max_refetch: int = 10):
        for key, value in (('check_files', check_files), ('max_refetch',
                                                          max_refetch)):
            if isinstance(value, bool) or not isinstance(value, int) \
                    or value < 0:
                raise ValueError(f'`{key}` should be an int >= 0, but got '
                                 f'{value!r}')
        self.check_files = check_files
        self.max_refetch = max_refetch
        self.source = self._build(source, 'source')
        self.target = self._build(target, 'target')
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @staticmethod
    def _build(dataset: Union[BaseDataset, dict], key: str) -> BaseDataset:
        if isinstance(dataset, dict):
            try:
                # annotations load in full_init, which names the domain
                return DATASETS.build(dict(dataset, lazy_init=True))
            except (OSError, AssertionError, ValueError) as e:
                raise ValueError(
                    f'Cannot load the {key} dataset {dataset.get("type")} '
                    f'(data_root={dataset.get("data_root")!r}): {e}') from e
        if isinstance(dataset, BaseDataset):
            return dataset
        raise TypeError(f'`{key}` should be a dataset config dict or a '
                        f'`BaseDataset` instance, but got {type(dataset)}')

    @staticmethod
    def _load(dataset: BaseDataset, key: str) -> None:
        name = (f'{key} dataset {type(dataset).__name__} (data_root='
                f'{getattr(dataset, "data_root", None)!r})')
        try:
            dataset.full_init()
        except (OSError, AssertionError, ValueError) as e:
            try:  # mmengine fails to serialise an empty list: say so
                empty = len(dataset.load_data_list()) == 0
            except Exception:
                empty = False
            if empty:
                raise ValueError(f'The {name} has no samples.') from e
            raise ValueError(f'Cannot load the {name}: {e}') from e
        if len(dataset) == 0:
            raise ValueError(f'The {name} has no samples.')

    @property
    def metainfo(self) -> dict:
        """The target dataset's meta information (a deep copy)."""
        self.full_init()  # e.g. CustomDataset finds its classes when loading
        return copy.deepcopy(self.target.metainfo)

    def full_init(self) -> None:
        """Load both datasets' annotations and check neither is empty."""
        if self._fully_initialized:
            return
        for key, dataset in (('source', self.source), ('target',
                                                       self.target)):
            self._load(dataset, key)
            checked, missing = missing_image_files(dataset, self.check_files)
            if missing:
                raise ValueError(
                    describe_missing(key, dataset, checked, missing))
        self.num_target = len(self.target)
        self.num_source = len(self.source)
        self._fully_initialized = True

    @force_full_init
    def __len__(self) -> int:
        return self.num_target

    @force_full_init
    def locate(self, idx: int) -> tuple:
        """Map a global index to ``(domain, dataset, local_index)``."""
        if 0 <= idx < self.num_target:
            return 'target', self.target, idx
        if self.num_target <= idx < self.num_target + self.num_source:
            return 'source', self.source, idx - self.num_target
        raise IndexError(f'index {idx} is out of range for a '
                         f'SourceTargetDataset of {self.num_target} target '
                         f'and {self.num_source} source samples')

    def source_index(self, local_idx):
        """Global index of the ``local_idx``-th source sample."""
        return self.num_target + local_idx

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Annotation of a sample, with its ``domain`` added."""
        domain, dataset, local_idx = self.locate(idx)
        return dict(dataset.get_data_info(local_idx), domain=domain)

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        domain, dataset, local_idx = self.locate(idx)
        skipped = []
        while True:
            try:
                results = dataset[local_idx]
                break
            except (OSError, ValueError, AssertionError) as e:
                # a missing, corrupted or truncated image file
                path = dataset.get_data_info(local_idx).get('img_path')
                skipped.append(path)
                print_log(f'Skipped {domain} image {path}: {e}',
                          logger='current', level=30)
                if len(skipped) > self.max_refetch:
                    raise RuntimeError(
                        f'{len(skipped)} {domain} images in a row failed to '
                        f'load (max_refetch={self.max_refetch}), the last '
                        f'{path}: {e}') from e
                # seeded by (index, attempt): a rerun skips to the same
                local_idx = int(np.random.default_rng(
                    (idx, len(skipped))).integers(len(dataset)))
        if not isinstance(results, dict) or 'data_samples' not in results:
            raise ValueError(
                f'The {domain} dataset {type(dataset).__name__} returned no '
                '`data_samples`: its `pipeline` should end with '
                "dict(type='PackInputs')")
        results['data_samples'].set_metainfo(
            dict(domain=domain, skipped_files=skipped))
        return results

    def __repr__(self) -> str:
        if not self._fully_initialized:
            return (f'{type(self).__name__}(source={type(self.source)}, '
                    f'target={type(self.target)}, not fully initialized)')
        return (f'{type(self).__name__}:\n  target ({self.num_target}): '
                f'{self.target!r}\n  source ({self.num_source}): '
                f'{self.source!r}')
