"""tools/benchmark_e2e.py in its CPU mode (tiny crops and images, a few
iterations): tools/train.py trains the shipped plain and soft ResNet-50
configs on synthetic CUB/ImageNet-layout JPEGs from an in1k-shaped
checkpoint, and the figures are consistent."""
import json
import subprocess

import pytest

from tests.conftest import load_tool, repo_path, run_tool

CPU_MODE = ['--device', 'cpu', '--res', '32', '--image-size', '40x30',
            '--batch', '2', '--source-batch', '3', '--iters', '4',
            '--skip', '1', '--workers', '2', '--threads', '1']


@pytest.mark.slow
def test_cpu_mode_trains_both_configs_and_reports(tmp_path):
    out = tmp_path / 'e2e.json'
    run_tool(repo_path('tools/benchmark_e2e.py'), *CPU_MODE, '--runs',
             'plain_default,soft_fast', '--work-dir', str(tmp_path / 'w'),
             '--out', str(out))
    figures = json.loads(out.read_text())
    assert figures['checkpoint_key'] == 'model.backbone.init_cfg.checkpoint'
    plain, soft = figures['runs']['plain_default'], figures['runs'][
        'soft_fast']
    assert plain['config'] == 'configs/plain_resnet50_cub.py'
    assert soft['config'] == 'configs/softft_resnet50_cub.py'
    assert plain['flags'] == [] and soft['flags'] == ['--channels-last']
    for run in (plain, soft):
        assert run['returncode'] == 0
        # the loader's 2 persistent workers were stopped by tools/train.py
        assert run['loader_shutdown']['workers'] == 2
        assert run['loader_shutdown']['terminated'] == 0
        assert run['loader_shutdown']['loaders'] == ['train_dataloader']
        assert not run['processes_left_behind']
        assert 0 <= run['exit_after_checkpoint_s'] < 10
        assert 0 <= run['data_wait_fraction_all_iters'] < 1
    # 4 iterations, the first left out
    assert plain['all']['iters'] == 3
    assert plain['all']['target_img_per_s'] == plain['all']['all_img_per_s']
    assert plain['all']['target_img_per_s'] == pytest.approx(
        2 / plain['all']['sec_per_iter'], abs=0.051)
    phases = [soft[p] for p in ('w>0', 'w=0') if p in soft]
    assert sum(p['iters'] for p in phases) == 3
    assert 'w=0' in soft  # decay_end=0.25 of 4 iterations
    if 'w>0' in soft:
        w_pos = soft['w>0']
        assert w_pos['all_img_per_s'] == pytest.approx(
            5 / w_pos['sec_per_iter'], abs=0.051)
    assert 'ratio_iter_time_soft_w0_vs_plain_fast' not in figures


@pytest.mark.parametrize('args, message', [
    (['--runs', 'plain,soft'], "--runs should be among ['plain_default', "
     "'plain_fast', 'soft_fast'], but got ['plain', 'soft']"),
    (['--image-size', '500'], '--image-size should be WIDTHxHEIGHT, e.g. '
     "500x375, but got '500'"),
    (['--iters', '5', '--skip', '5'], '--skip should be in [0, --iters), '
     'but got 5 with --iters 5'),
    (['--threads', '0'], '--threads should be >= 1, but got 0'),
])
def test_bad_arguments_are_clear_errors(args, message, capsys):
    with pytest.raises(SystemExit) as e:
        load_tool('benchmark_e2e').parse_args(args)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_gpu_check_script_is_valid_bash():
    subprocess.run(['bash', '-n', repo_path('tools/gpu_check.sh')],
                   check=True)
