"""tools/benchmark_claims_cjk.sh: each step runs tools/benchmark_methods.py
with options it takes, selection on seeds the reported runs do not use,
the bias part with the curves part's selection."""
import json
import os
import subprocess
import sys
import tarfile

from tests.conftest import load_tool, repo_path


def run_steps(tmp_path, *steps, **env):
    """The tool command lines the steps run (a stand-in python prints
    them), and the finished process."""
    stub = tmp_path / 'python'
    stub.write_text(f'#!{sys.executable}\nimport json, sys\n'
                    'print(json.dumps(sys.argv[1:]))\n')
    stub.chmod(0o755)
    proc = subprocess.run(
        ['bash', repo_path('tools', 'benchmark_claims_cjk.sh'), *steps],
        env=dict(os.environ, PYTHON=str(stub), OUT=str(tmp_path / 'out'),
                 **env), capture_output=True, text=True, timeout=60)
    return [json.loads(line) for line in proc.stdout.splitlines()], proc


def test_every_step_runs_the_tool_with_options_it_takes(tmp_path):
    (tmp_path / 'out' / 'curves' / 'work').mkdir(parents=True)
    (tmp_path / 'out' / 'curves' / 'selection.json').write_text('{}')
    commands, proc = run_steps(tmp_path, SEEDS='4',
                               REPORT_DIR=str(tmp_path / 'published'))
    assert proc.returncode == 0, proc.stderr
    tool = load_tool('benchmark_methods')
    parsed = [tool.parse_args(argv[1:]) for argv in commands[:4]]
    assert all(argv[0] == 'tools/benchmark_methods.py' for argv in commands)
    plain, soft, curves, bias = parsed
    for args in parsed:
        assert args.tasks == ['glyphs_cjk'] and args.threads == 1
        assert args.cjk_options['target_size'] == 16
        assert args.forgetting_per_class == 1
    assert plain.select and soft.select and not curves.select
    selected = set(range(plain.first_seed, plain.first_seed + plain.seeds))
    reported = set(range(curves.first_seed, curves.first_seed + 4))
    assert curves.seeds == bias.seeds == 4 and not selected & reported
    lr = 'optim_wrapper.optimizer.lr'
    assert plain.method_table['plain'].grid == {lr: (0.02, 0.01, 0.005)}
    assert len(soft.method_table['soft'].grid) == 4
    assert (curves.val_points, curves.conditions) == (8, ['fewshot5'])
    assert set(curves.methods) == {'plain', 'soft', 'soft_paper',
                                   'soft_separate'}
    assert len(bias.conditions) == 5 and bias.out.endswith('bias')
    assert (tmp_path / 'out' / 'bias' / 'selection.json').read_text() == '{}'
    reports = [argv[argv.index('--report-out') + 1] for argv in commands[4:]]
    assert reports == [str(tmp_path / 'published' / p)
                       for p in ('curves', 'bias')]
    with tarfile.open(tmp_path / 'published' / 'records.tar.gz') as tar:
        assert sorted(tar.getnames()) == [
            'bias', 'bias/selection.json', 'curves', 'curves/selection.json']


def test_an_unknown_step_is_refused(tmp_path):
    commands, proc = run_steps(tmp_path, 'select_plain', 'slect_soft')
    assert proc.returncode == 2 and "unknown step 'slect_soft'" in \
        proc.stderr
    assert len(commands) == 1  # the step before it ran


def test_published_claims_reports_are_their_records(tmp_path):
    """docs/benchmark/claims_cjk/{curves,bias}/results.md are what
    --report makes of the published records, and every paired interval
    the README's claims table quotes is in one of them (or in the
    Fashion-MNIST report)."""
    import re

    from benchmarks.method_report import write_report
    from benchmarks.method_stats import load_records, summarise
    published = repo_path('docs', 'benchmark', 'claims_cjk')
    with tarfile.open(os.path.join(published, 'records.tar.gz')) as tar:
        tar.extractall(tmp_path, filter='data')
    made = {}
    for part in ('curves', 'bias'):
        summary = summarise(load_records([str(tmp_path / part)]))
        path = write_report(summary, str(tmp_path / 'r' / part))['markdown']
        made[part] = open(path).read()
        assert made[part] == open(os.path.join(published, part,
                                               'results.md')).read(), part
        assert all(c['methods']['plain']['n'] == 15
                   for c in summary['cells'])
    readme = open(repo_path('README.md')).read()
    table = readme[readme.index('The paper\'s five claims'):]
    table = table[:table.index('\n\n', table.index('| claim |'))]
    quoted = re.findall(r'[+-]\d+\.\d\d \[[+-]\d+\.\d\d, [+-]\d+\.\d\d\]',
                        table)
    assert len(quoted) >= 5
    fashion = open(repo_path('docs', 'benchmark', 'fashion',
                             'results.md')).read()
    for text in quoted:
        assert any(text in m for m in [*made.values(), fashion]), text
