"""tools/benchmark_transfer.py --quick: runs end to end through the Runner
and writes a consistent table, JSON and plots (not a verdict on the sign)."""
import json

from ..conftest import repo_path
from .test_train_tool import run_tool


def test_quick_mode_writes_consistent_results(tmp_path):
    out = tmp_path / 'bench'
    run_tool(repo_path('tools/benchmark_transfer.py'), '--quick', '--out',
             str(out), '--cache-dir', str(tmp_path / 'cache'),
             '--first-seed', '3')
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
