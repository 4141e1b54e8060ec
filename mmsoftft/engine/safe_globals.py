"""Keep ``torch.load(weights_only=True)`` on, allowing what mmengine needs.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``: only
tensors, containers and allow-listed types are unpickled, so a checkpoint
cannot run code. mmengine 0.10's own checkpoints hold a few more types (the
message hub's ``HistoryBuffer`` with numpy arrays, numpy scalars), so
``--resume`` fails. Rather than turning the safety off, this module adds
exactly those types to torch's allow-list:

- ``mmengine.logging.HistoryBuffer``;
- numpy arrays, dtypes and scalars (``ndarray``, ``dtype``,
  ``_reconstruct``, ``scalar``, under numpy 1 and numpy 2 module paths);
- ``builtins.getattr``, replaced by :func:`history_buffer_getattr`, which
  only resolves ``HistoryBuffer``'s statistics methods (the one use of
  ``getattr`` in such checkpoints) and refuses anything else.

A trusted legacy checkpoint that needs further types is an explicit
opt-in: :func:`allow_checkpoint_globals` (config key
``checkpoint_safe_globals`` for ``tools/train.py`` and ``tools/test.py``).
"""
import importlib
import pickle
from typing import Iterable

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

__all__ = [
    'allow_checkpoint_globals', 'history_buffer_getattr',
    'register_safe_globals'
]


def history_buffer_getattr(obj, name: str):
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    if obj is HistoryBuffer and isinstance(name, str) and name in (
            'min', 'max', 'current', 'mean'):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'Refused getattr({obj!r}, {name!r}) while loading a checkpoint: '
        'only HistoryBuffer statistics methods are allowed')


def _numpy_globals() -> list:
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    items = [np.ndarray, np.dtype]
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        items += [(multiarray._reconstruct, f'{module}._reconstruct'),
                  (multiarray.scalar, f'{module}.scalar')]
    # numpy >= 1.25 pickles dtypes of arrays through their DType classes.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        items += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType')
        ]
    return items


def register_safe_globals() -> None:
    """Allow-list the types of mmengine/mmpretrain checkpoints (idempotent).

    Does nothing on a torch without ``add_safe_globals`` (< 2.4), which
    does not default to ``weights_only=True`` either.
    """
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:
        return
    add([HistoryBuffer, (history_buffer_getattr, 'builtins.getattr')] +
        _numpy_globals())


def allow_checkpoint_globals(names: Iterable[str]) -> None:
    """Explicitly trust more types, e.g. for a legacy checkpoint.

    Only do this for checkpoints from a source you trust: an allowed type
    can be built by any checkpoint loaded afterwards in this process.

    Args:
        names (Iterable[str]): Dotted names such as
            ``'mmcv.utils.config.ConfigDict'``.

    Raises:
        ValueError: If a name cannot be imported.
    """
    objs = []
    for name in names:
        module_name, _, attr = str(name).rpartition('.')
        try:
            objs.append(getattr(importlib.import_module(module_name), attr))
        except (ImportError, AttributeError, ValueError) as e:
            raise ValueError(
                f'`checkpoint_safe_globals` entry {name!r} cannot be '
                f'imported: {e}') from e
        objs[-1] = (objs[-1], name)
    torch.serialization.add_safe_globals(objs)
