import math

import pytest

from benchmarks.report import paired_summary, t_interval


def rec(top1, curve, seconds=10.0):
    return dict(top1=top1, curve=curve, seconds=seconds)


def test_t_interval_hand_computed():
    # diffs 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.302653
    low, high = t_interval([1.0, 2.0, 3.0])
    half = 4.302653 / math.sqrt(3)
    assert (low, high) == pytest.approx((2 - half, 2 + half), rel=1e-5)
    assert t_interval([1.0]) is None


def test_paired_summary():
    methods = dict(
        plain=[rec(50, [40, 50]), rec(60, [60, 60])],
        soft=[rec(55, [52, 55], 15.0), rec(58, [50, 58], 15.0)])
    out = paired_summary(methods, epochs=2)
    soft = out['soft']
    assert soft['top1_mean'] == 56.5
    assert soft['diff_mean'] == pytest.approx(1.5)  # (+5, -2)
    assert soft['wins'] == 1
    # seed 0 reaches plain's 50 at epoch 1; seed 1 never reaches 60
    assert soft['reached'] == 1 and soft['epochs_to_plain_final'] == 1
    assert soft['seconds_to_plain_final'] == pytest.approx(7.5)
    assert soft['wall_time_ratio'] == pytest.approx(1.5)
    assert out['plain']['epochs_to_plain_final'] == pytest.approx(1.5)
