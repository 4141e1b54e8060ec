"""tools/slurm_train.sh: valid bash, and the srun command line it builds
(srun is faked on PATH: it records its arguments)."""
import os
import subprocess

from ..conftest import repo_path

FAKE_SRUN = '''#!/usr/bin/env bash
printf '%s\\n' "$@" > "$SRUN_RECORD"
echo "$PYTHONPATH" > "$SRUN_RECORD.pythonpath"
'''


def test_syntax():
    for script in ('slurm_train.sh', 'slurm_test.sh', 'dist_train.sh',
                   'dist_test.sh', 'run_tests.sh', 'run_demo.sh',
                   'setup_env.sh'):
        subprocess.run(['bash', '-n', repo_path('tools', script)],
                       check=True)


def test_srun_command_line(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'srun').chmod(0o755)
    record = tmp_path / 'args.txt'
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}',
               SRUN_RECORD=str(record), GPUS='16', GPUS_PER_NODE='8',
               CPUS_PER_TASK='6', SRUN_ARGS='--quotatype=auto')
    subprocess.run([
        'bash', repo_path('tools/slurm_train.sh'), 'gpu_part', 'softft',
        'configs/softft_resnet50_cub.py', 'work_dirs/x', '--amp',
        '--cfg-options', 'model.pretrained=a b.pth'
    ], env=env, check=True, capture_output=True)
    args = record.read_text().splitlines()
    assert args[:8] == [
        '-p', 'gpu_part', '--job-name=softft', '--gres=gpu:8',
        '--ntasks=16', '--ntasks-per-node=8', '--cpus-per-task=6',
        '--kill-on-bad-exit=1'
    ]
    assert args[8] == '--quotatype=auto'
    assert args[9:12] == ['python', '-u', repo_path('tools/train.py')]
    assert args[12:] == [
        'configs/softft_resnet50_cub.py', '--work-dir=work_dirs/x',
        '--launcher=slurm', '--amp', '--cfg-options',
        'model.pretrained=a b.pth'
    ]
    pythonpath = (tmp_path / 'args.txt.pythonpath').read_text()
    assert repo_path('tools') + '/..' in pythonpath
