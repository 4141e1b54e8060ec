"""benchmarks/compare.py (tools/compare_methods.py) without training: the
records it writes, the report it prints, where it says it wrote it, and
the folders it leaves."""
import json
import os
import sys

import pytest

from benchmarks import compare as compare_module
from benchmarks.compare import compare, record_path, run_one
from benchmarks.tests.records import run_record
from tests.conftest import load_tool, repo_path

PLAIN = repo_path('configs/demo/finetune_digits.py')
SOFT = repo_path('configs/demo/softft_digits.py')


def parse(out, *extra):
    return load_tool('compare_methods').parse_args(
        ['--out', str(out), '--seeds', '2', '--configs', f'plain={PLAIN}',
         f'soft={SOFT}', *extra])


def write_record(args, name, seed, top1):
    rec = run_record(name, seed, top1, task='user', condition='default',
                     threads=None)
    rec.pop('probe_top1')  # user configs: no probe
    path = record_path(args, name, seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(rec, f)


def test_the_report_says_where_it_is_and_shows_what_was_measured(
        tmp_path, capsys):
    args = parse(tmp_path / 'out')
    for seed in (0, 1):
        write_record(args, 'plain', seed, 60 + seed)
        write_record(args, 'soft', seed, 62 + seed)
    # an empty record folder (a run that never finished) and a stale plot
    empty = tmp_path / 'out/runs/test/user/default/lwf'
    empty.mkdir(parents=True)
    (tmp_path / 'out/report').mkdir()
    (tmp_path / 'out/report/probe_vs_target.png').write_bytes(b'old')
    summary = compare(args)
    printed = capsys.readouterr().out
    assert '0 runs in' in printed  # every record existed
    assert summary['cells'][0]['methods']['soft']['diff']['mean'] == 2.0
    report = tmp_path / 'out/report'
    assert printed.rstrip().endswith(
        f'Report written to {report}: results.md, results.json, '
        'accuracy_vs_epoch.png, forest.png')
    # no thread count was pinned: the report does not invent one
    assert 'Threads: not pinned' in printed and 'Threads: 0' not in printed
    assert 'Threads: None' not in printed
    # no probe recorded: no probe plot (the stale one is gone)
    assert sorted(p.name for p in report.iterdir()) == [
        'accuracy_vs_epoch.png', 'forest.png', 'results.json', 'results.md']
    # no empty folder is left under runs/
    assert not empty.exists()
    assert sorted(p.name for p in (empty.parent).iterdir()) == [
        'plain', 'soft']


def test_a_run_writes_its_record_and_a_failed_one_leaves_no_folder(
        tmp_path, monkeypatch):
    """tools/train.py stood in for by a script that writes what a run
    writes (scalars, the RunRecordHook file), or fails."""
    args = parse(tmp_path / 'out')
    script = (
        'import json, os, sys\n'
        'work = sys.argv[1]\n'
        'os.makedirs(f"{work}/20260101_000000/vis_data")\n'
        'with open(f"{work}/20260101_000000/vis_data/scalars.json", "w") '
        'as f:\n'
        '    f.write(json.dumps({"accuracy/top1": 55.0, "step": 1}) + "\\n")'
        '\n'
        '    f.write(json.dumps({"accuracy/top1": 70.0, "step": 2}) + "\\n")'
        '\n'
        'json.dump(dict(head_init="h", batch_digests=["a", "b"]), '
        'open(f"{work}/run_record.json", "w"))\n')

    def command(args, config, work_dir, seed):
        return [sys.executable, '-c', script, work_dir]

    monkeypatch.setattr(compare_module, 'train_command', command)
    assert run_one(args, 'plain', PLAIN, PLAIN, 0)
    with open(record_path(args, 'plain', 0)) as f:
        rec = json.load(f)
    assert rec['top1'] == 70.0 and rec['curve'] == [[1, 55.0], [2, 70.0]]
    assert rec['threads'] is None and rec['head_init'] == 'h'
    assert len(rec['batches_digest']) == 16
    assert not run_one(args, 'plain', PLAIN, PLAIN, 0)  # recorded

    def failing(args, config, work_dir, seed):
        return [sys.executable, '-c', 'raise SystemExit(3)']

    monkeypatch.setattr(compare_module, 'train_command', failing)
    with pytest.raises(SystemExit, match=r'soft seed 0 failed \(exit 3\)'):
        compare(args)
    assert sorted(os.listdir(tmp_path / 'out/runs/test/user/default')) == [
        'plain']
    assert (tmp_path / 'out/work/soft/s0/compare_methods.log').exists()
