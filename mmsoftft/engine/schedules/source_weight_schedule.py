"""The source-loss weight ``w(t)`` of soft fine-tuning as a pure function."""
import math
from numbers import Real
from typing import Optional, Tuple, Union

from .training_point import check_point, to_iters

__all__ = ['SourceWeightSchedule']

SHAPES = ('linear', 'cosine', 'exp', 'step', 'constant')
DEFAULT_DECAY_END = 0.25


class SourceWeightSchedule:
    """The source weight ``w(t)``: from ``start_weight`` to exactly 0.

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
    - ``constant``: ``w(t) = w0`` for the whole training, never removed:
      joint training (the non-selective form of Ge & Yu, CVPR 2017).

    Every decaying shape is strictly positive before ``end`` (when
    ``w0 > 0``), so the source branch is needed exactly for the iterations
    ``t < end`` (:meth:`stop_iter`). This class is the one owner of that
    rule: :class:`SoftFineTuneHook` reads ``w(t)`` and the stop point here
    and hands them to the model and the batch sampler.

    Args:
        start_weight (float): ``w0``, the weight before the decay (the
            constant weight of ``'constant'``, > 0 there). Defaults to 1.0.
        decay_begin (int | float): Where the decay begins, in ``unit``.
            Defaults to 0.
        decay_end (int | float, optional): Where ``w`` reaches 0, in
            ``unit``; it must lie within the training. Defaults to None:
            0.25 of the training for the decaying shapes (the project's
            default; the paper gives none), and it must stay None for
            ``'constant'``, which never decays.
        unit (str): ``'iter'``, ``'epoch'`` or ``'fraction'`` (of the whole
            training, in [0, 1]). Defaults to ``'fraction'``.
        shape (str): One of ``'linear'``, ``'cosine'``, ``'exp'``,
            ``'step'``, ``'constant'``. Defaults to ``'cosine'``.
        num_steps (int): Number of equal drops of the ``step`` shape.
            Defaults to 4.
        exp_rate (float): Rate ``k`` of the ``exp`` shape. Defaults to 5.0.
    """

    def __init__(self,
                 start_weight: float = 1.0,
                 decay_begin: Union[int, float] = 0,
                 decay_end: Optional[Union[int, float]] = None,
                 unit: str = 'fraction',
                 shape: str = 'cosine',
                 num_steps: int = 4,
                 exp_rate: float = 5.0):
        for key, value in (('start_weight', start_weight),
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
        check_point('decay_begin', decay_begin, unit)
        if shape == 'constant':
            if decay_end is not None or decay_begin != 0:
                raise ValueError(
                    'shape="constant" keeps the source weight for the whole '
                    'training: leave `decay_begin` and `decay_end` unset, '
                    f'but got decay_begin={decay_begin}, '
                    f'decay_end={decay_end}')
            if start_weight == 0:
                raise ValueError(
                    'shape="constant" needs `start_weight` > 0 (0 would be '
                    'plain fine-tuning loading unused source images), but '
                    'got 0')
        else:
            if decay_end is None:
                decay_end = DEFAULT_DECAY_END if unit == 'fraction' else None
            if decay_end is None:
                raise ValueError(f'with unit="{unit}", set `decay_end` (the '
                                 'default 0.25 is a fraction)')
            check_point('decay_end', decay_end, unit)
            if decay_end <= decay_begin:
                raise ValueError('`decay_end` should be greater than '
                                 f'`decay_begin`, but got {decay_end} <= '
                                 f'{decay_begin}')
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

    def span(self, max_iters: int,
             iters_per_epoch: int) -> Tuple[int, Optional[int]]:
        """``(decay_begin, decay_end)`` in iterations of this training.

        Args:
            max_iters (int): Iterations of the whole training.
            iters_per_epoch (int): Iterations of one epoch.

        Returns:
            tuple[int, int | None]: ``(begin, end)``, ``end > begin``;
            ``(0, None)`` for ``'constant'``.

        Raises:
            ValueError: If ``w`` would not reach 0 within the training.
        """
        if self.shape == 'constant':
            return 0, None
        begin, end = (to_iters(point, self.unit, max_iters, iters_per_epoch)
                      for point in (self.decay_begin, self.decay_end))
        if end > max_iters:
            raise ValueError(
                f'`decay_end`={self.decay_end} (unit="{self.unit}") is '
                f'iteration {end}, past the end of training at iteration '
                f'{max_iters}: the source weight would never reach 0. Set '
                f'`decay_end` within the training (unit="fraction": <= 1), '
                'or train longer')
        # A span shorter than one iteration still decays over one.
        return begin, max(end, begin + 1)

    def weight(self, t: int, begin: int, end: Optional[int]) -> float:
        """The source weight at the 0-based iteration ``t``.

        Args:
            t (int): The iteration about to run.
            begin (int): Decay begin in iterations (from :meth:`span`).
            end (int, optional): Decay end in iterations (from
                :meth:`span`; None for ``'constant'``).

        Returns:
            float: ``w(t)``, exactly 0.0 for ``t >= end``.
        """
        if self.shape == 'constant':
            return self.start_weight
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

    def stop_iter(self, end: Optional[int]) -> Optional[int]:
        """The first iteration from which the source branch is never
        needed: 0 when ``start_weight`` is 0 (plain fine-tuning), ``end``
        for a decay, None (never) for ``'constant'``.

        Args:
            end (int, optional): Decay end in iterations (from
                :meth:`span`).
        """
        if self.start_weight == 0:
            return 0
        return end
