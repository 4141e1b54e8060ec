"""The premise check: the verdicts of hand-made records, and
tools/benchmark_premise.py's quick mode end to end (stand-in CJK fonts)."""
import json

import pytest

from benchmarks.premise_table import summarise_premise, write_premise_table
from tests.conftest import repo_path, run_tool


def records(pretrained=90.0, raw=60.0, random_init=(50.0, 84.0),
            plain_probe=(80.0, 84.0), soft_probe=(88.0, 89.0),
            linear=70.0):
    task = dict(
        kind='task', task='glyphs_cjk', condition='fewshot5',
        source_classes=1000, source_top1=70.0, pretrain_steps=3375,
        pretrain_seconds=600.0, pretrain_cached=False, draw_seconds=30.0,
        probe=dict(raw_pixel=raw, random_init=list(random_init),
                   pretrained=pretrained), probe_images=400,
        probe_classes=40, settings={}, machine=dict(cpu='cpu', threads=1),
        wall_seconds=900.0)
    cells = [dict(kind='cell', seed=s, knn1=20.0 + s, knn5=18.0,
                  linear_probe=linear, train_counts=[5] * 50,
                  target_classes=50) for s in (0, 1)]
    runs = []
    for lr, drop in ((0.02, 0.0), (0.1, 10.0)):
        for s in (0, 1):
            runs.append(dict(kind='run', method='plain', lr=lr, seed=s,
                             top1=80.0 + s, diverged=None,
                             probe_top1=plain_probe[s] - drop + 10 * (
                                 lr == 0.02), source_top1=10.0,
                             wall_seconds=20.0, steps=160,
                             batches_digest=f'b{s}'))
            runs.append(dict(kind='run', method='soft', lr=lr, seed=s,
                             top1=83.0 - 2 * s, diverged=None,
                             probe_top1=soft_probe[s], source_top1=60.0,
                             wall_seconds=25.0, steps=160,
                             batches_digest=f'b{s}' if s else 'other'))
    return dict(task=task, cell=cells, run=runs)


def test_verdicts():
    summary = summarise_premise(records())
    a = summary['a']
    # above raw pixels by 30, but only 6 above the best random network
    assert a['over_raw'] == 30.0 and a['over_random'] == 6.0 and a['pass']
    low, high = summary['regimes']
    # lr 0.02: plain's probe 90 and 94 (no drop); lr 0.1: 70 and 74
    assert low['lr'] == 0.02 and low['b']['probe_drop'] == -2.0
    assert not low['b']['pass'] and low['verdict'] == 'NO-GO'
    assert high['b']['probe_drop'] == 18.0 and high['verdict'] == 'GO'
    # plain (80.5) beats the best reference, the linear probe (70)
    assert high['c'] == {'best_reference': 'linear_probe',
                         'over_reference': 10.5, 'pass': True}
    soft = high['methods']['soft']
    assert soft['minus_plain']['top1']['values'] == [3.0, 0.0]
    assert soft['minus_plain']['wins'] == 1
    assert soft['minus_plain']['probe']['mean'] == pytest.approx(16.5)
    assert list(high['methods']) == ['plain', 'soft']
    # seed 0's soft run saw other batches: one seed of two paired
    assert (high['paired_seeds'], high['seeds']) == (1, 2)
    assert summary['target_references']['knn1']['mean'] == 20.5
    assert summary['shots'] == 5 and summary['target_classes'] == 50


def test_premise_a_needs_both_margins():
    # 5 above the mean of the random networks is not enough: the best
    assert not summarise_premise(records(random_init=(70.0, 86.0)))['a'][
        'pass']
    fail = summarise_premise(records(raw=86.0))
    assert not fail['a']['pass']
    # (b) holds at lr 0.1, but without (a) no regime is GO
    assert fail['regimes'][1]['b']['pass']
    assert {r['verdict'] for r in fail['regimes']} == {'NO-GO'}


def test_premise_c_plain_below_the_references():
    # plain fine-tuning (80.5) below the linear probe: GO by (a) and (b)
    # at lr 0.1, but (c) says the regime cannot show a transfer effect
    wrecked = summarise_premise(records(linear=81.0))
    assert wrecked['regimes'][1]['verdict'] == 'GO'
    assert wrecked['regimes'][1]['c'] == {
        'best_reference': 'linear_probe', 'over_reference': -0.5,
        'pass': False}


def test_write_premise_table(tmp_path):
    paths = write_premise_table(summarise_premise(records()), str(tmp_path))
    text = open(paths['markdown']).read()
    assert '(a) PASS: pre-trained minus raw pixels +30.00, minus the best ' \
        'random init +6.00' in text
    assert '| 0.1 | plain | 80.50 ± 0.71 |' in text
    assert '+18.00 (PASS, needs >= 3) | **GO** | +10.50 vs linear_probe ' \
        '(PASS) |' in text
    assert '-2.00 (FAIL, needs >= 3) | **NO-GO** | +10.50 vs linear_probe ' \
        '(PASS) |' in text
    assert '| 0.1 | soft | 82.00 ± 1.41 | 88.50 ± 0.71 | 60.00 ± 0.00 | ' \
        '+1.50 (1/2) | +16.50 |' in text
    assert json.load(open(paths['json']))['regimes'][1]['verdict'] == 'GO'


@pytest.mark.slow
def test_quick_mode(tmp_path):
    out = tmp_path / 'premise'
    log = run_tool(repo_path('tools/benchmark_premise.py'), '--quick',
                   '--out', str(out), '--threads', '1')
    assert 'pre-training the glyphs_cjk source model: 20 classes' in log
    assert '[8/8] soft lr 0.1 seed 1: top1 ' in log
    summary = json.loads((out / 'table' / 'premise.json').read_text())
    assert [r['lr'] for r in summary['regimes']] == [0.02, 0.1]
    for regime in summary['regimes']:
        assert (regime['paired_seeds'], regime['seeds']) == (2, 2)
        assert set(regime['methods']) == {'plain', 'soft'}
        assert regime['verdict'] in ('GO', 'NO-GO')
        soft = regime['methods']['soft']
        assert len(soft['source_top1']['values']) == 2
    assert summary['probe'] == dict(images=16, classes=4)
    assert len(summary['a']['random_init']) == 2
    # a rerun reads the records: nothing trained again
    again = run_tool(repo_path('tools/benchmark_premise.py'), '--quick',
                     '--out', str(out), '--threads', '1')
    assert 'from the cache' in again and 'seed 0: top1' not in again
    assert json.loads((out / 'table' / 'premise.json').read_text())[
        'regimes'] == summary['regimes']
