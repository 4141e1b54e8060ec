import math

import pytest

from mmsoftft.engine import SourceWeightSchedule


def weights(shape, ts, begin=10, end=30, **kw):
    s = SourceWeightSchedule(start_weight=2.0, shape=shape, unit='iter',
                             decay_begin=begin, decay_end=end, **kw)
    return [s.weight(t, begin, end) for t in ts]


@pytest.mark.parametrize('shape', ['linear', 'cosine', 'exp', 'step'])
def test_constant_before_begin_and_exactly_zero_after_end(shape):
    w = weights(shape, [0, 9, 10, 29, 30, 31, 10_000])
    assert w[:3] == [2.0, 2.0, 2.0]
    assert w[3] > 0
    assert w[4:] == [0.0, 0.0, 0.0]


def test_linear_values():
    # p = (t - 10) / 20
    assert weights('linear', [15, 20, 25]) == pytest.approx([1.5, 1.0, 0.5])


def test_cosine_values():
    w = weights('cosine', [15, 20, 25])
    assert w == pytest.approx([
        2.0 * 0.5 * (1 + math.cos(math.pi * 0.25)), 1.0,
        2.0 * 0.5 * (1 + math.cos(math.pi * 0.75))
    ])


def test_exp_values():
    k = 5.0
    expected = 2.0 * (math.exp(-k * 0.5) - math.exp(-k)) / (1 - math.exp(-k))
    assert weights('exp', [20], exp_rate=k) == pytest.approx([expected])
    # exp drops faster than linear early on
    assert weights('exp', [12])[0] < weights('linear', [12])[0]


def test_step_values():
    # 4 equal drops: 2.0, 1.5, 1.0, 0.5 on quarters of [10, 30)
    w = weights('step', [10, 14, 15, 19, 20, 25, 29], num_steps=4)
    assert w == pytest.approx([2.0, 2.0, 1.5, 1.5, 1.0, 0.5, 0.5])


def test_units_span():
    frac = SourceWeightSchedule(decay_begin=0.25, decay_end=0.5)
    assert frac.span(max_iters=400, iters_per_epoch=40) == (100, 200)
    epoch = SourceWeightSchedule(decay_begin=1, decay_end=3, unit='epoch')
    assert epoch.span(max_iters=400, iters_per_epoch=40) == (40, 120)
    it = SourceWeightSchedule(decay_begin=5, decay_end=7, unit='iter')
    assert it.span(max_iters=400, iters_per_epoch=40) == (5, 7)
    # a span that rounds to nothing still lasts one iteration
    tiny = SourceWeightSchedule(decay_begin=0.0, decay_end=0.001)
    assert tiny.span(max_iters=100, iters_per_epoch=10) == (0, 1)
    # the default decay end: a quarter of the training
    assert SourceWeightSchedule().span(400, 40) == (0, 100)


def test_decay_end_past_the_training_is_refused_naming_both_numbers():
    s = SourceWeightSchedule(decay_end=5, unit='epoch')
    with pytest.raises(ValueError) as e:
        s.span(max_iters=5, iters_per_epoch=5)
    assert '`decay_end`=5 (unit="epoch") is iteration 25' in str(e.value)
    assert 'end of training at iteration 5' in str(e.value)
    # ending exactly with the training is a decay to 0 at the end
    assert s.span(max_iters=25, iters_per_epoch=5) == (0, 25)


def test_zero_start_weight_is_plain_finetuning():
    s = SourceWeightSchedule(start_weight=0.0)
    assert s.weight(0, 0, 10) == 0.0
    assert s.stop_iter(10) == 0
    assert SourceWeightSchedule().stop_iter(10) == 10


def test_constant_shape_is_joint_training():
    s = SourceWeightSchedule(start_weight=0.5, shape='constant')
    begin, end = s.span(max_iters=400, iters_per_epoch=40)
    assert end is None
    assert [s.weight(t, begin, end) for t in (0, 200, 10_000)] == [0.5] * 3
    assert s.stop_iter(end) is None  # source images to the last iteration


@pytest.mark.parametrize('kwargs, words', [
    (dict(decay_end=0.5), 'leave `decay_begin` and `decay_end` unset'),
    (dict(decay_begin=0.1), 'leave `decay_begin` and `decay_end` unset'),
    (dict(start_weight=0.0), 'needs `start_weight` > 0'),
])
def test_constant_shape_refuses_keys_it_would_ignore(kwargs, words):
    with pytest.raises(ValueError, match=words):
        SourceWeightSchedule(shape='constant', **kwargs)


def test_decay_end_needs_setting_for_iterations_and_epochs():
    with pytest.raises(ValueError, match='set `decay_end`'):
        SourceWeightSchedule(unit='epoch')


@pytest.mark.parametrize('kwargs, words', [
    (dict(start_weight=-1.0), '`start_weight` should be >= 0'),
    (dict(decay_begin=10, decay_end=5, unit='iter'),
     '`decay_end` should be greater than `decay_begin`, but got 5 <= 10'),
    (dict(shape='sigmoid'), "`shape` should be one of"),
    (dict(unit='hours'), "`unit` should be one of"),
    (dict(decay_end=1.5), 'should be in [0, 1], but got decay_end=1.5'),
    (dict(decay_begin=-0.1), '`decay_begin` should be >= 0'),
    (dict(decay_begin=0, decay_end=2.5, unit='epoch'), 'a whole number'),
    (dict(num_steps=0), '`num_steps` should be an int >= 1'),
    (dict(exp_rate=0.0), '`exp_rate` should be > 0'),
])
def test_bad_arguments_raise_value_error_naming_the_key(kwargs, words):
    with pytest.raises(ValueError) as e:
        SourceWeightSchedule(**kwargs)
    assert words in str(e.value)


def test_non_number_raises_type_error():
    with pytest.raises(TypeError, match='`start_weight` should be a finite'):
        SourceWeightSchedule(start_weight='1.0')
    with pytest.raises(TypeError, match='`decay_end`'):
        SourceWeightSchedule(decay_end=float('nan'))
