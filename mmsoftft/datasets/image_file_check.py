"""Check, before training, that a dataset's image files exist."""
import os.path as osp
from typing import List

import numpy as np

__all__ = ['describe_missing', 'missing_image_files']


def missing_image_files(dataset, max_checks: int, seed: int = 0) -> tuple:
    """Look for image files that a dataset's annotations name but that do
    not exist on the local disk.

    All files are checked when the dataset has at most ``max_checks``
    samples (a CUB-size target); otherwise a seeded random sample of
    ``max_checks`` plus the first and last (catching a wrong ``data_root``
    or ``data_prefix`` of an ImageNet-size source in a fraction of a second).
    Remote paths (``scheme://``) are not checked.

    Args:
        dataset: A fully initialised mmengine ``BaseDataset``.
        max_checks (int): Most files to check; 0 checks none.
        seed (int): Seed of the sample. Defaults to 0.

    Returns:
        tuple[int, list[str]]: Number of files checked and the missing ones.
    """
    n = len(dataset)
    if max_checks <= 0 or n == 0:
        return 0, []
    if n <= max_checks:
        indices = range(n)
    else:
        rng = np.random.default_rng(seed)
        indices = sorted({0, n - 1, *rng.choice(n, max_checks,
                                                replace=False).tolist()})
    checked, missing = 0, []
    for i in indices:
        path = dataset.get_data_info(i).get('img_path')
        if not isinstance(path, str) or '://' in path:
            continue
        checked += 1
        if not osp.isfile(path):
            missing.append(path)
    return checked, missing


def describe_missing(key: str, dataset, checked: int,
                     missing: List[str]) -> str:
    """The error message for :func:`missing_image_files`' findings."""
    ann = getattr(dataset, 'ann_file', None)
    return (f'{len(missing)} of {checked} checked {key} images do not exist '
            f'(the {key} dataset {type(dataset).__name__}, data_root='
            f'{getattr(dataset, "data_root", None)!r}, ann_file={ann!r}), '
            f'e.g. {missing[:3]}. Check `{key}.data_root`, `data_prefix` '
            'and the annotation file.')
