"""Source-plus-target training set of soft fine-tuning."""
import copy
from contextlib import nullcontext
from typing import Optional, Union

import cv2
import numpy as np
from mmengine.dataset import BaseDataset, ConcatDataset, force_full_init
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

from .image_file_check import describe_missing, missing_image_files
from .random_stream import RandomStream

__all__ = ['SourceTargetDataset']

# A missing, empty, corrupted or truncated image file (cv2.error: OpenCV's
# decoder on an empty buffer).
LOAD_ERRORS = (OSError, ValueError, AssertionError, cv2.error)


@DATASETS.register_module()
class SourceTargetDataset(ConcatDataset):
    """Pair a source dataset (e.g. ImageNet) with a target dataset (e.g. CUB).

    mmengine's ``ConcatDataset`` of ``[target, source]``: indices
    ``[0, len(target))`` are target samples and the next ``len(source)``
    source samples. Each part is any mmpretrain dataset (config dict or
    instance) with its own pipeline and label space. Four things differ
    from ``ConcatDataset``:

    - ``len(self)`` is the target's length, so the runner's ordinary sampler
      walks the target set once per epoch, exactly as in plain fine-tuning;
      :class:`SourceTargetBatchSampler` appends source indices to each batch.
      This breaks ``ConcatDataset``'s contract on purpose: indices
      ``>= len(self)`` (the source samples) are valid, so code that
      iterates ``range(len(dataset))`` sees the target only;
    - ``metainfo`` is the target's (the label spaces differ, so no key is
      compared), so evaluation and checkpoints describe the target task;
    - every packed sample's ``data_samples`` carries ``domain``
      (``'source'``/``'target'``) beside the ``gt_label`` of its own domain;
    - source samples are prepared on random streams of their own
      (:class:`RandomStream`), so the target images get exactly the
      augmentations they get in plain fine-tuning with the same seed.

    Bad data fails before training with errors naming ``source`` or
    ``target``: a missing or empty root, an empty dataset, image files the
    annotations name but that do not exist (``check_files``), and (through
    :meth:`check_labels`, called by :class:`SoftFineTuneHook`) labels outside
    a head. During training a sample whose image cannot be read is skipped
    with a warning naming the file and another sample of the same domain is
    fetched (at most ``max_refetch`` in a row, never one that already failed
    for this index); the skipped paths go into the data sample
    (``skipped_files``), which :class:`SkippedImageHook` counts.

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
        self.source_stream = RandomStream()
        keys = set(self.target.metainfo) | set(self.source.metainfo)
        super().__init__([self.target, self.source],
                         lazy_init=lazy_init,
                         ignore_keys=sorted(keys))

    @staticmethod
    def _build(dataset: Union[BaseDataset, dict], key: str) -> BaseDataset:
        if isinstance(dataset, dict):
            try:
                # annotations load in full_init, which names the domain
                return DATASETS.build(dict(dataset, lazy_init=True))
            except TypeError as e:
                # e.g. CUB -> CustomDataset in a derived config: the base's
                # `split` is merged in and CustomDataset takes none
                raise TypeError(
                    f'Cannot build the {key} dataset {dataset.get("type")} '
                    f'(`train_dataloader.dataset.{key}`, keys '
                    f'{sorted(dataset)}): {e}. A derived config that '
                    f'changes `train_dataloader.dataset.{key}.type` keeps '
                    "the base's other keys (such as `split`) unless it sets "
                    f'`_delete_=True` in `train_dataloader.dataset.{key}`'
                ) from e
            except (OSError, AssertionError, ValueError) as e:
                raise ValueError(
                    f'Cannot load the {key} dataset {dataset.get("type")} '
                    f'(data_root={dataset.get("data_root")!r}): {e}') from e
        if isinstance(dataset, BaseDataset):
            return dataset
        raise TypeError(f'`{key}` should be a dataset config dict or a '
                        f'`BaseDataset` instance, but got {type(dataset)}')

    @staticmethod
    def _describe(dataset: BaseDataset, key: str) -> str:
        return (f'{key} dataset {type(dataset).__name__} (data_root='
                f'{getattr(dataset, "data_root", None)!r})')

    @classmethod
    def _load(cls, dataset: BaseDataset, key: str) -> None:
        name = cls._describe(dataset, key)
        try:
            dataset.full_init()
        except (OSError, AssertionError, ValueError) as e:
            try:  # mmengine fails to serialise an empty list: say so
                empty = len(dataset.load_data_list()) == 0
            except Exception:
                empty = False
            if empty:
                raise ValueError(f'The {name} has no samples.') from e
            hint = ''
            if type(dataset).__name__ == 'ImageNet':
                hint = (' (without `ann_file`, mmpretrain\'s ImageNet needs '
                        'all 1000 class folders; for fewer classes write '
                        'meta/train.txt or use CustomDataset)')
            raise ValueError(f'Cannot load the {name}: {e}{hint}') from e
        if len(dataset) == 0:
            raise ValueError(f'The {name} has no samples.')

    @property
    def metainfo(self) -> dict:
        """The target dataset's meta information (a deep copy)."""
        self.full_init()  # e.g. CustomDataset finds its classes when loading
        return copy.deepcopy(self.target.metainfo)

    def full_init(self) -> None:
        """Load both datasets' annotations; check neither is empty and
        their image files exist."""
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
        super().full_init()

    @force_full_init
    def __len__(self) -> int:
        """The target's length (not the sum, unlike ``ConcatDataset``):
        the runner's sampler walks the target; source indices follow it."""
        return self.num_target

    def source_index(self, local_idx: int) -> int:
        """Global index of the ``local_idx``-th source sample."""
        return self.num_target + local_idx

    @force_full_init
    def check_labels(self, num_target_classes: Optional[int],
                     num_source_classes: Optional[int]) -> None:
        """Check every label against its head's class count (None skips a
        domain). Reads each annotation once (seconds for ImageNet).

        Raises:
            ValueError: Naming the dataset, its annotation file, the first
                bad image and label, and the class count.
        """
        for key, dataset, num in (('target', self.target, num_target_classes),
                                  ('source', self.source, num_source_classes)):
            if num is None:
                continue
            labels = np.asarray(dataset.get_gt_labels())
            bad = np.flatnonzero((labels < 0) | (labels >= num))
            if len(bad):
                info = dataset.get_data_info(int(bad[0]))
                raise ValueError(
                    f'The {self._describe(dataset, key)}, ann_file='
                    f'{getattr(dataset, "ann_file", None)!r}, has '
                    f'{len(bad)} labels outside [0, {num}), e.g. label '
                    f'{int(labels[bad[0]])} of {info.get("img_path")}, but '
                    f'`model.{"head" if key == "target" else "source_head"}'
                    f'.num_classes` is {num}')

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Annotation of a sample, with its ``domain`` added."""
        dataset_idx, _ = self._get_ori_dataset_idx(idx)
        return dict(super().get_data_info(idx),
                    domain=('target', 'source')[dataset_idx])

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        if not 0 <= idx < self.num_target + self.num_source:
            raise IndexError(
                f'index {idx} is out of range for a SourceTargetDataset of '
                f'{self.num_target} target and {self.num_source} source '
                'samples')
        dataset_idx, local_idx = self._get_ori_dataset_idx(idx)
        domain, dataset = ('target', 'source')[dataset_idx], \
            self.datasets[dataset_idx]
        skipped, failed = [], []
        stream = self.source_stream if domain == 'source' else nullcontext()
        while True:
            try:
                with stream:
                    results = dataset[local_idx]
                break
            except LOAD_ERRORS as e:
                path = dataset.get_data_info(local_idx).get('img_path')
                skipped.append(path)
                failed.append(local_idx)
                print_log(f'Skipped {domain} image {path}: {e}',
                          logger='current', level=30)
                if len(skipped) > self.max_refetch or \
                        len(failed) == len(dataset):
                    raise RuntimeError(
                        f'{len(skipped)} {domain} images in a row failed to '
                        f'load (max_refetch={self.max_refetch}, '
                        f'{len(dataset)} {domain} images), the last '
                        f'{path}: {e}') from e
                local_idx = self._refetch_index(idx, failed, len(dataset))
        if not isinstance(results, dict) or 'data_samples' not in results:
            raise ValueError(
                f'The {domain} dataset {type(dataset).__name__} returned no '
                '`data_samples`: its `pipeline` should end with '
                "dict(type='PackInputs')")
        results['data_samples'].set_metainfo(
            dict(domain=domain, skipped_files=skipped))
        return results

    @staticmethod
    def _refetch_index(idx: int, failed: list, size: int) -> int:
        """A replacement for a sample whose image failed: uniform over the
        ``size`` local indices except the ``failed`` ones (each image is
        tried once, so a skip is counted once per file). Seeded by
        ``(idx, attempt)``: a rerun skips to the same samples."""
        excluded = sorted(failed)
        pick = int(np.random.default_rng(
            (idx, len(failed))).integers(size - len(excluded)))
        for index in excluded:  # the pick-th index not excluded
            if index > pick:
                break
            pick += 1
        return pick

    def __repr__(self) -> str:
        if not self._fully_initialized:
            return (f'{type(self).__name__}(source={type(self.source)}, '
                    f'target={type(self.target)}, not fully initialized)')
        return (f'{type(self).__name__}:\n  target ({self.num_target}): '
                f'{self.target!r}\n  source ({self.num_source}): '
                f'{self.source!r}')
