"""tools/benchmark_transfer.py --quick: runs end to end through the Runner
and writes a consistent table, JSON and plots (not a verdict on the sign)."""
import json

import pytest

from tests.conftest import load_tool, repo_path, run_tool


@pytest.mark.slow
def test_quick_mode_writes_consistent_results(tmp_path):
    out = tmp_path / 'bench'
    run_tool(repo_path('tools/benchmark_transfer.py'), '--quick', '--out',
             str(out), '--cache-dir', str(tmp_path / 'cache'),
             '--first-seed', '3', '--threads', '1')
    results = json.loads((out / 'results.json').read_text())
    runs = results['runs']['fewshot']
    assert set(runs) == {'plain', 'soft'}
    for method in ('plain', 'soft'):
        rec = runs[method][0]
        assert len(rec['curve']) == 4  # one validation per epoch
        assert 0 <= rec['top1'] <= 100 and rec['top1'] == rec['curve'][-1]
        assert rec['seconds'] > 0
        assert 0 <= rec['probe_top1'] <= 100
    weights = runs['soft'][0]['source_weight']
    assert weights[0] == 1.0 and weights[-1] == 0.0
    summary = results['summary']['fewshot']['soft']
    assert summary['diff_mean'] == runs['soft'][0]['top1'] - runs['plain'][
        0]['top1']
    assert set(results['probe']) == {'pretrained', 'plain', 'soft'}
    table = (out / 'results.md').read_text()
    # --first-seed: the seed (and its target sample) is 3, not 0
    assert results['settings']['first_seed'] == 3
    assert (out / 'data' / 'fewshot_s3').is_dir()
    assert not (out / 'data' / 'fewshot_s0').exists()
    assert '1 seeds (3-3)' in table
    assert '| fewshot | plain |' in table and '| fewshot | soft |' in table
    for name in ('accuracy_vs_epoch', 'source_weight', 'probe_accuracy'):
        assert (out / f'{name}.png').read_bytes()[:4] == b'\x89PNG'
    # the cached pre-trained model is reused by a second run
    assert len(list((tmp_path / 'cache').glob('pretrain_*.pth'))) == 1


@pytest.mark.parametrize('flag, classes, what', [
    ('--probe-classes', '9', 'a k-NN probe'),
    ('--target-classes', '5', 'a classification task'),
])
def test_one_class_is_a_clear_error(flag, classes, what, tmp_path, capsys):
    """One probe digit used to crash in write_digits_target with
    `ValueError: low >= high`."""
    with pytest.raises(SystemExit) as e:
        load_tool('benchmark_transfer').parse_args(
            [flag, classes, '--out', str(tmp_path)])
    assert e.value.code == 2
    assert (f'{flag} should list at least 2 digits ({what} needs >= 2 '
            f'classes), but got [{classes}]') in capsys.readouterr().err
    # two classes are accepted
    args = load_tool('benchmark_transfer').parse_args(
        [flag, f'{classes},{int(classes) - 1}', '--out', str(tmp_path)])
    assert len(getattr(args, flag[2:].replace('-', '_'))) == 2
