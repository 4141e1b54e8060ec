"""The source-loss weight ``w(t)`` of soft fine-tuning as a pure function."""
import math
from numbers import Real
from typing import Union

__all__ = ['SourceWeightSchedule', 'to_iters']

SHAPES = ('linear', 'cosine', 'exp', 'step')
UNITS = ('iter', 'epoch', 'fraction')


def to_iters(point: Union[int, float], unit: str, max_iters: int,
             iters_per_epoch: int) -> int:
    """A point of training given in ``unit`` (one of :data:`UNITS`: an
    iteration, an epoch, or a fraction of the whole training), as the
    nearest iteration."""
    scale = dict(iter=1, epoch=iters_per_epoch, fraction=max_iters)[unit]
    return int(round(point * scale))


class SourceWeightSchedule:
    """Decay of the source weight from ``start_weight`` to exactly 0.

    With ``p = (t - begin) / (end - begin)`` the progress through the decay
    (``t`` the 0-based training iteration, ``begin``/``end`` in iterations):

    .. math::

        w(t) = \\begin{cases}
            w_0 & t < begin \\\\
            w_0 \\, s(p) & begin \\le t < end \\\\
            0 & t \\ge end
        \\end{cases}

    with the shape ``s``:

    - ``linear``: :math:`1 - p`
    - ``cosine``: :math:`(1 + \\cos(\\pi p)) / 2`
    - ``exp``: :math:`(e^{-k p} - e^{-k}) / (1 - e^{-k})`, ``k = exp_rate``
    - ``step``: :math:`1 - \\lfloor p n \\rfloor / n`, ``n = num_steps``

    Every shape is strictly positive before ``end`` (when ``w0 > 0``), so
    the source branch is needed exactly for the iterations ``t < end``.

    Args:
        start_weight (float): ``w0``, the weight before the decay.
            Defaults to 1.0.
        decay_begin (int | float): Where the decay begins, in ``unit``.
            Defaults to 0.
        decay_end (int | float): Where ``w`` reaches 0, in ``unit``.
            Defaults to 0.25.
        unit (str): ``'iter'``, ``'epoch'`` or ``'fraction'`` (of the whole
            training, in [0, 1]). Defaults to ``'fraction'``.
        shape (str): One of ``'linear'``, ``'cosine'``, ``'exp'``,
            ``'step'``. Defaults to ``'cosine'``.
        num_steps (int): Number of equal drops of the ``step`` shape.
            Defaults to 4.
        exp_rate (float): Rate ``k`` of the ``exp`` shape. Defaults to 5.0.
    """

    def __init__(self,
                 start_weight: float = 1.0,
                 decay_begin: Union[int, float] = 0,
                 decay_end: Union[int, float] = 0.25,
                 unit: str = 'fraction',
                 shape: str = 'cosine',
                 num_steps: int = 4,
                 exp_rate: float = 5.0):
        for key, value in (('start_weight', start_weight),
                           ('decay_begin', decay_begin),
                           ('decay_end', decay_end),
                           ('exp_rate', exp_rate)):
            if isinstance(value, bool) or not isinstance(value, Real) \
                    or not math.isfinite(value):
                raise TypeError(f'`{key}` should be a finite number, '
                                f'but got {value!r}')
        if start_weight < 0:
            raise ValueError('`start_weight` should be >= 0, '
                             f'but got {start_weight}')
        if shape not in SHAPES:
            raise ValueError(f'`shape` should be one of {SHAPES}, '
                             f'but got {shape!r}')
        if unit not in UNITS:
            raise ValueError(f'`unit` should be one of {UNITS}, '
                             f'but got {unit!r}')
        if decay_begin < 0:
            raise ValueError('`decay_begin` should be >= 0, '
                             f'but got {decay_begin}')
        if decay_end <= decay_begin:
            raise ValueError('`decay_end` should be greater than '
                             f'`decay_begin`, but got {decay_end} <= '
                             f'{decay_begin}')
        if unit == 'fraction' and decay_end > 1:
            raise ValueError('with unit="fraction", `decay_begin` and '
                             '`decay_end` should be in [0, 1], but got '
                             f'decay_end={decay_end}')
        if unit in ('iter', 'epoch') and not (
                float(decay_begin).is_integer()
                and float(decay_end).is_integer()):
            raise ValueError(f'with unit="{unit}", `decay_begin` and '
                             '`decay_end` should be whole numbers, but got '
                             f'{decay_begin} and {decay_end}')
        if isinstance(num_steps, bool) or not isinstance(num_steps, int) \
                or num_steps < 1:
            raise ValueError('`num_steps` should be an int >= 1, '
                             f'but got {num_steps!r}')
        if exp_rate <= 0:
            raise ValueError(f'`exp_rate` should be > 0, but got {exp_rate}')
        self.start_weight = float(start_weight)
        self.decay_begin = decay_begin
        self.decay_end = decay_end
        self.unit = unit
        self.shape = shape
        self.num_steps = num_steps
        self.exp_rate = float(exp_rate)

    def to_iters(self, max_iters: int, iters_per_epoch: int) -> tuple:
        """Convert ``(decay_begin, decay_end)`` to iterations.

        Args:
            max_iters (int): Iterations of the whole training.
            iters_per_epoch (int): Iterations of one epoch.

        Returns:
            tuple[int, int]: ``(begin, end)`` in iterations, ``end > begin``.
        """
        begin, end = (to_iters(point, self.unit, max_iters, iters_per_epoch)
                      for point in (self.decay_begin, self.decay_end))
        # A span shorter than one iteration still decays over one.
        return begin, max(end, begin + 1)

    def weight(self, t: int, begin: int, end: int) -> float:
        """The source weight at the 0-based iteration ``t``.

        Args:
            t (int): The iteration about to run.
            begin (int): Decay begin in iterations (from :meth:`to_iters`).
            end (int): Decay end in iterations (from :meth:`to_iters`).

        Returns:
            float: ``w(t)``, exactly 0.0 for ``t >= end``.
        """
        if t >= end or self.start_weight == 0:
            return 0.0
        if t < begin:
            return self.start_weight
        p = (t - begin) / (end - begin)
        if self.shape == 'linear':
            s = 1.0 - p
        elif self.shape == 'cosine':
            s = 0.5 * (1.0 + math.cos(math.pi * p))
        elif self.shape == 'exp':
            k = self.exp_rate
            s = (math.exp(-k * p) - math.exp(-k)) / (1.0 - math.exp(-k))
        else:
            s = 1.0 - math.floor(p * self.num_steps) / self.num_steps
        return self.start_weight * s

    def stop_iter(self, begin: int, end: int) -> int:
        """First iteration from which the source branch is never needed.

        Returns 0 when ``start_weight`` is 0 (plain fine-tuning).
        """
        return 0 if self.start_weight == 0 else end
