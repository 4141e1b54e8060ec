"""tools/benchmark_speed.py in a quick mode: it runs and reports consistent
figures (their values are for the benchmark, not for a test)."""
import json
import statistics

import pytest

from tests.conftest import repo_path, run_tool


@pytest.mark.slow
def test_quick_run_reports_all_cases(tmp_path):
    out = tmp_path / 'speed.json'
    run_tool(repo_path('tools/benchmark_speed.py'), '--batch', '4',
             '--source-batch', '2', '--iters', '1', '--rounds', '3',
             '--warmup', '1', '--compare-layouts', '--sampler-memory',
             '--loader', '--loader-epochs', '1', '--threads', '1',
             '--out', str(out))
    figures = json.loads(out.read_text())
    for case in ('plain', 'soft_w>0', 'soft_w=0', 'plain_same_images',
                 'plain_default_layout'):
        assert figures[case]['sec_per_iter'] > 0
    soft = figures['soft_w>0']
    assert abs(soft['img_per_s'] * soft['sec_per_iter'] - 6) < 0.1
    # ratios are paired within each round, then the median is taken
    w0, plain = (figures[k]['sec_per_iter_rounds'] for k in ('soft_w=0',
                                                              'plain'))
    assert len(w0) == len(plain) == 3
    assert figures['ratio_iter_time_w0_vs_plain'] == round(
        statistics.median(a / b for a, b in zip(w0, plain)), 3)
    q1, q3 = figures['ratio_iter_time_w0_vs_plain_iqr']
    assert q1 <= figures['ratio_iter_time_w0_vs_plain'] <= q3
    assert figures['device'].startswith('cpu')
    # the source sampler's memory does not grow with the source: 1e4 -> 1e8
    memory = figures['sampler_memory']
    small = max(memory['source_1e+06']['peak_bytes_per_rank'])
    huge = max(memory['source_1e+08']['peak_bytes_per_rank'])
    assert huge < 4 * 2**20 and huge < 1.5 * small
    assert memory['source_1e+08']['indices_per_rank'] == 1000 * 68
    # real Runner runs (plain, soft, soft, plain) of one epoch each
    loader = figures['loader']
    assert (loader['batch'], loader['source_batch']) == (16, 16)
    assert loader['plain']['iters'] == (
        loader['soft_w>0']['iters'] + loader['soft_w=0']['iters'])
    assert 0 < loader['soft_w>0']['iters'] < loader['soft_w=0']['iters']
    for case in ('plain', 'soft_w>0', 'soft_w=0'):
        assert 0 <= loader[case]['data_wait_fraction'] < 1


def test_resnet50_models_from_the_shipped_configs(tmp_path):
    """--model resnet50 (the GPU command) at a tiny size on the CPU."""
    out = tmp_path / 'speed.json'
    run_tool(repo_path('tools/benchmark_speed.py'), '--model', 'resnet50',
             '--res', '32', '--batch', '2', '--iters', '1', '--rounds', '1',
             '--warmup', '1', '--device', 'cpu', '--threads', '1',
             '--out', str(out))
    figures = json.loads(out.read_text())
    assert (figures['model'], figures['res'], figures['batch']) == (
        'resnet50', 32, 2)
    assert figures['threads'] == 1 and figures['device'] == 'cpu (1 threads)'
    # ResNet-50 (23.5M) + 200-way head; soft adds the 1000-way source head
    plain, soft = figures['plain'], figures['soft_w>0']
    # the shipped plain config: ImageClassifier as channels_last=False
    assert plain['model'] == 'ChannelsLastImageClassifier'
    assert plain['params'] == 23_508_032 + 2048 * 200 + 200
    assert soft['model'] == 'SoftFineTuneClassifier'
    assert soft['params'] == plain['params'] + 2048 * 1000 + 1000
    assert soft['img_per_s'] > 0


def test_source_res_times_both_passes_against_plain(tmp_path):
    """--source-res: plain, the joint pass (source images at the target's
    size, one batch) and the separate pass (source images at their own
    size), each soft pass's iteration time over plain's paired by round."""
    out = tmp_path / 'speed.json'
    run_tool(repo_path('tools/benchmark_speed.py'), '--res', '32',
             '--source-res', '16', '--batch', '3', '--source-batch', '2',
             '--iters', '1', '--rounds', '3', '--warmup', '1',
             '--threads', '1', '--out', str(out))
    figures = json.loads(out.read_text())
    assert 'plain' not in figures  # the default cases are not timed
    bench = figures['source_pass']
    assert (bench['res'], bench['source_res']) == (32, 16)
    assert bench['plain']['input_shapes'] == [3, 3, 32, 32]
    assert bench['joint']['input_shapes'] == [5, 3, 32, 32]
    assert bench['separate']['input_shapes'] == dict(
        target=[3, 3, 32, 32], source=[2, 3, 16, 16])
    plain = bench['plain']['sec_per_iter_rounds']
    for name in ('joint', 'separate'):
        rounds = bench[name]['sec_per_iter_rounds']
        assert len(rounds) == 3
        ratio = bench[name]['ratio_iter_time_w_gt0_vs_plain']
        assert ratio == round(
            statistics.median(a / b for a, b in zip(rounds, plain)), 3)
        q1, q3 = bench[name]['ratio_iter_time_w_gt0_vs_plain_iqr']
        assert q1 <= ratio <= q3
