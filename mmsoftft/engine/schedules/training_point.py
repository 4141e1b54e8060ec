"""A point of training given in iterations, epochs or a fraction of it."""
import math
from numbers import Real
from typing import Union

__all__ = ['UNITS', 'check_point', 'to_iters']

UNITS = ('iter', 'epoch', 'fraction')


def check_point(key: str, value: Union[int, float], unit: str) -> None:
    """Check a point of training given in ``unit``.

    Args:
        key (str): The config key, named in the error.
        value (int | float): The point: >= 0, a whole number for ``'iter'``
            and ``'epoch'``, in [0, 1] for ``'fraction'``.
        unit (str): One of :data:`UNITS`.

    Raises:
        TypeError: If ``value`` is not a finite number.
        ValueError: If ``unit`` or ``value`` is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, Real) \
            or not math.isfinite(value):
        raise TypeError(f'`{key}` should be a finite number, but got '
                        f'{value!r}')
    if unit not in UNITS:
        raise ValueError(f'`unit` should be one of {UNITS}, but got '
                         f'{unit!r}')
    if value < 0:
        raise ValueError(f'`{key}` should be >= 0, but got {value}')
    if unit == 'fraction' and value > 1:
        raise ValueError(f'with unit="fraction", `{key}` should be in '
                         f'[0, 1], but got {key}={value}')
    if unit != 'fraction' and not float(value).is_integer():
        raise ValueError(f'with unit="{unit}", `{key}` should be a whole '
                         f'number, but got {value}')


def to_iters(point: Union[int, float], unit: str, max_iters: int,
             iters_per_epoch: int) -> int:
    """A point of training in ``unit`` as the nearest iteration.

    Args:
        point (int | float): The point, checked by :func:`check_point`.
        unit (str): ``'iter'``, ``'epoch'`` or ``'fraction'`` (of
            ``max_iters``).
        max_iters (int): Iterations of the whole training.
        iters_per_epoch (int): Iterations of one epoch.

    Returns:
        int: The iteration.
    """
    scale = dict(iter=1, epoch=iters_per_epoch, fraction=max_iters)[unit]
    return int(round(point * scale))
