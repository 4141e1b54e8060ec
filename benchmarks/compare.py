"""Compare your own configs, N paired seeds each, through
``tools/train.py`` (``tools/compare_methods.py``).

Each config is written to ``<out>/configs/`` with :class:`RunRecordHook`
added (unless ``--no-record``), trained once per seed in a subprocess with
``--cfg-options randomness.seed=S``, and its final validation metric and
curve are read from the run's ``vis_data/scalars.json``; the report is
``tools/benchmark_methods.py``'s (:mod:`.method_stats`,
:mod:`.method_report`).
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

from mmengine.config import Config

from .method_parts import save
from .method_report import report_location, write_report
from .method_stats import load_records, summarise
from .run_record_hook import sequence_digest

__all__ = [
    'compare', 'read_scalars', 'record_path', 'recorded_config',
    'remove_empty_folders', 'train_command'
]

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOLS = osp.join(REPO, 'tools')
# the config imports it: tools/train.py runs with REPO on PYTHONPATH
RECORD_MODULE = 'benchmarks.run_record_hook'
RECORD = 'run_record.json'


def recorded_config(config, out_dir, name):
    """Write ``config`` with ``RunRecordHook`` added, as benchmark_methods.py
    runs its methods: the new head and the target batches are recorded
    into the work_dir.

    Returns:
        str: The written config's path.
    """
    cfg = Config.fromfile(config)
    imports = list(cfg.get('custom_imports', {}).get('imports', []))
    cfg.custom_imports = dict(imports=imports + [RECORD_MODULE],
                              allow_failed_imports=False)
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='RunRecordHook', out_file=RECORD)
    ]
    path = osp.join(out_dir, 'configs', f'{name}.py')
    os.makedirs(osp.dirname(path), exist_ok=True)
    cfg.dump(path)
    return path


def train_command(args, config, work_dir, seed):
    """The command line of one run: tools/train.py, or through
    tools/dist_train.sh / tools/slurm_train.sh (``args.launcher``)."""
    options = ['--cfg-options', f'randomness.seed={seed}', *args.cfg_options]
    if args.launcher == 'pytorch':
        cmd = ['bash', osp.join(TOOLS, 'dist_train.sh'), config,
               str(args.gpus), '--work-dir', work_dir]
    elif args.launcher == 'slurm':
        cmd = ['bash', osp.join(TOOLS, 'slurm_train.sh'), args.partition,
               f'compare_s{seed}', config, work_dir]
    else:
        cmd = [sys.executable, osp.join(TOOLS, 'train.py'), config,
               '--work-dir', work_dir]
    return cmd + options + list(args.train_args)


def read_scalars(work_dir, metric):
    """The validation curve ``[[step, value], ...]`` of ``metric`` in the
    newest run of ``work_dir`` that logged it."""
    paths = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    for path in reversed(paths):
        with open(path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        curve = [[r['step'], r[metric]] for r in rows if metric in r]
        if curve:
            return curve, path
    raise RuntimeError(f'no {metric!r} in {paths or "any scalars.json"} '
                       f'under {work_dir}: did the run validate?')


def record_path(args, name, seed):
    """Where the record of ``name``'s run with ``seed`` goes."""
    return osp.join(args.out, 'runs', 'test', args.name, args.condition,
                    name, f't0_s{seed}.json')


def remove_empty_folders(root):
    """Remove the empty folders under ``root`` (and ``root`` if it ends
    up empty), deepest first."""
    for folder, _, _ in os.walk(root, topdown=False):
        if not os.listdir(folder):
            os.rmdir(folder)


def run_one(args, name, user_config, config, seed):
    """Train ``config`` (written from ``user_config``) with ``seed`` and
    write its record; False if the record already exists."""
    path = record_path(args, name, seed)
    if osp.exists(path):
        return False
    work_dir = osp.join(args.out, 'work', name, f's{seed}')
    os.makedirs(work_dir, exist_ok=True)
    log = osp.join(work_dir, 'compare_methods.log')
    cmd = train_command(args, config, work_dir, seed)
    start = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (REPO, os.environ.get('PYTHONPATH')) if p))
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT,
                              env=env)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f'{name} seed {seed} failed (exit '
                         f'{proc.returncode}): {" ".join(cmd)}; see {log}')
    curve, scalars = read_scalars(work_dir, args.metric)
    # threads: None, the harness does not pin them (the runs use what
    # their config and environment give)
    record = dict(
        kind='run', phase='test', task=args.name, condition=args.condition,
        method=name, seed=seed, threads=None, params={}, params_id='',
        config=user_config, trained_config=config, top1=curve[-1][1],
        curve=curve, epochs=curve[-1][0],
        train_seconds=seconds, wall_seconds=seconds, scalars=scalars,
        command=cmd)
    if osp.exists(osp.join(work_dir, RECORD)):
        with open(osp.join(work_dir, RECORD)) as f:
            run = json.load(f)
        record.update(run, batches_digest=sequence_digest(
            run.pop('batch_digests')))
    save(path, record)
    print(f'{name} seed {seed}: {args.metric} {curve[-1][1]:.2f} in '
          f'{seconds:.0f} s', flush=True)
    return True


def compare(args) -> dict:
    """Train every config once per seed (a run with a record is skipped),
    then write and print the report.

    Args:
        args (Namespace): ``tools/compare_methods.py``'s parsed arguments.

    Returns:
        dict: The report's summary.
    """
    trained = dict(args.configs)
    if not args.no_record:
        trained = {name: recorded_config(config, args.out, name)
                   for name, config in args.configs}
    start, runs = time.perf_counter(), 0
    try:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for name, config in args.configs:
                runs += run_one(args, name, config, trained[name], seed)
    finally:  # a failed or interrupted run leaves no empty record folder
        if osp.isdir(osp.join(args.out, 'runs')):
            remove_empty_folders(osp.join(args.out, 'runs'))
    seconds = time.perf_counter() - start
    print(f'{runs} runs in {seconds:.0f} s', flush=True)
    part = osp.join(args.out, 'parts', f'part_{time.time_ns()}.json')
    os.makedirs(osp.dirname(part), exist_ok=True)
    with open(part, 'w') as f:
        json.dump(dict(kind='part', runs=runs, seconds=seconds, name=(
            f'{",".join(n for n, _ in args.configs)} seeds '
            f'{args.first_seed}-{args.first_seed + args.seeds - 1}')), f)
    summary = summarise(load_records([args.out]), args.baseline)
    paths = write_report(summary, args.report_out or osp.join(args.out,
                                                              'report'))
    print(open(paths['markdown']).read())
    print(report_location(paths), flush=True)
    return summary
