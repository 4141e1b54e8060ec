"""tools/benchmark_speed.py in a quick mode: it runs and reports consistent
figures (their values are for the benchmark, not for a test)."""
import json

from ..conftest import repo_path
from .test_train_tool import run_tool


def test_quick_run_reports_all_cases(tmp_path):
    out = tmp_path / 'speed.json'
    run_tool(repo_path('tools/benchmark_speed.py'), '--batch', '4',
             '--source-batch', '2', '--iters', '1', '--rounds', '2',
             '--warmup', '1', '--compare-layouts', '--sampler-memory',
             '--out', str(out))
    figures = json.loads(out.read_text())
    for case in ('plain', 'soft_w>0', 'soft_w=0', 'plain_same_images',
                 'plain_default_layout'):
        assert figures[case]['sec_per_iter'] > 0
    soft = figures['soft_w>0']
    assert abs(soft['img_per_s'] * soft['sec_per_iter'] - 6) < 0.1
    assert figures['ratio_iter_time_w0_vs_plain'] == round(
        figures['soft_w=0']['sec_per_iter'] /
        figures['plain']['sec_per_iter'], 3)
    assert figures['device'].startswith('cpu')
    # the source sampler's memory does not grow with the source: 1e4 -> 1e8
    memory = figures['sampler_memory']
    small = max(memory['source_1e+06']['peak_bytes_per_rank'])
    huge = max(memory['source_1e+08']['peak_bytes_per_rank'])
    assert huge < 4 * 2**20 and huge < 1.5 * small
    assert memory['source_1e+08']['indices_per_rank'] == 1000 * 68
