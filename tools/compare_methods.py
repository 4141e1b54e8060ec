"""Compare methods on your own data: N paired seeds of your configs.

Each config (e.g. plain and soft fine-tuning of CUB) is trained with
tools/train.py (or tools/dist_train.sh / tools/slurm_train.sh) once per
seed, with ``--cfg-options randomness.seed=S`` and your extra options; the
final validation metric and the curve are read from each run's
``<work_dir>/<timestamp>/vis_data/scalars.json``. As in
benchmark_methods.py, each config is first written to ``<out>/configs/``
with ``RunRecordHook`` added (the new head and the target batches
recorded, to check the pairing), unless ``--no-record``. The pairing itself
is the package's: its classifiers build their extra modules without drawing
from the global random stream and ``SourceTargetDataset`` prepares source
samples on a stream of their own. The report is benchmark_methods.py's:
every method against the baseline (``plain`` if named, else the first)
seed by seed, paired t-interval, sign and Wilcoxon tests, epochs and
seconds to the baseline's final accuracy, whether every method of a seed
saw the same head and target batches, accuracy-vs-epoch and forest plots.

    python tools/compare_methods.py --out work_dirs/compare_cub --seeds 5 \\
        --configs plain=configs/finetune_resnet50_cub.py \\
                  soft=configs/softft_resnet50_cub.py \\
        --launcher pytorch --gpus 8 -- --amp --amp-dtype bfloat16

Arguments after ``--`` go to tools/train.py. A run whose record exists is
not trained again, so an interrupted comparison continues where it
stopped and more seeds can be added later.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

from mmengine.config import Config

# the repository root, for the harness in benchmarks/
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.method_report import write_report
from benchmarks.method_stats import BASELINE, load_records, summarise
from benchmarks.run_record_hook import sequence_digest

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
# the config imports it: tools/train.py runs with REPO on PYTHONPATH
RECORD_MODULE = 'benchmarks.run_record_hook'
RECORD = 'run_record.json'


def named_config(text):
    name, sep, path = text.partition('=')
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(
            f'expected NAME=CONFIG (e.g. plain=configs/x.py), got {text!r}')
    if not osp.isfile(path):
        raise argparse.ArgumentTypeError(f'{name}: no config file {path!r}')
    return name, path


def parse_args(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    argv = argv[:argv.index('--')] if '--' in argv else argv
    p = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 1)[1])
    p.add_argument('--configs', nargs='+', type=named_config, required=True,
                   metavar='NAME=CONFIG',
                   help="methods to compare; the one named 'plain' (else "
                   'the first) is the baseline')
    p.add_argument('--out', required=True,
                   help='records, work_dirs and the report go here')
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--first-seed', type=int, default=0)
    p.add_argument('--metric', default='accuracy/top1',
                   help='validation metric of scalars.json to compare')
    p.add_argument('--name', default='user',
                   help='name of the task in the tables')
    p.add_argument('--condition', default='default',
                   help='name of the condition in the tables')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'],
                   default='none')
    p.add_argument('--gpus', type=int, default=1,
                   help='processes (GPUs) per run with --launcher pytorch')
    p.add_argument('--partition', help='Slurm partition (--launcher slurm)')
    p.add_argument('--cfg-options', nargs='+', default=[],
                   metavar='KEY=VALUE', help='for every config and seed')
    p.add_argument('--baseline',
                   help="the method the others are compared with (default: "
                   "'plain' if named, else the first)")
    p.add_argument('--report-out', help='default: <out>/report')
    p.add_argument('--no-record', action='store_true',
                   help='train the configs as they are, without the hook '
                   'that records the new head and the target batches (the '
                   'report then cannot check the pairing)')
    args = p.parse_args(argv)
    args.train_args = extra
    names = [n for n, _ in args.configs]
    if len(set(names)) != len(names):
        p.error(f'--configs: names should differ, got {names}')
    if args.baseline is None:
        args.baseline = BASELINE if BASELINE in names else names[0]
    elif args.baseline not in names:
        p.error(f'--baseline {args.baseline!r} is none of {names}')
    if args.seeds < 1:
        p.error(f'--seeds should be >= 1, got {args.seeds}')
    if args.launcher == 'slurm' and not args.partition:
        p.error('--launcher slurm needs --partition')
    return args


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


def run_one(args, name, user_config, config, seed):
    path = osp.join(args.out, 'runs', 'test', args.name, args.condition,
                    name, f't0_s{seed}.json')
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
    record = dict(
        kind='run', phase='test', task=args.name, condition=args.condition,
        method=name, seed=seed, threads=0, params={}, params_id='',
        config=user_config, trained_config=config, top1=curve[-1][1],
        curve=curve, epochs=curve[-1][0],
        train_seconds=seconds, wall_seconds=seconds, scalars=scalars,
        command=cmd)
    if osp.exists(osp.join(work_dir, RECORD)):
        with open(osp.join(work_dir, RECORD)) as f:
            run = json.load(f)
        record.update(run, batches_digest=sequence_digest(
            run.pop('batch_digests')))
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(record, f, indent=1)
    print(f'{name} seed {seed}: {args.metric} {curve[-1][1]:.2f} in '
          f'{seconds:.0f} s', flush=True)
    return True


def main(argv=None):
    args = parse_args(argv)
    trained = dict(args.configs)
    if not args.no_record:
        trained = {name: recorded_config(config, args.out, name)
                   for name, config in args.configs}
    start, runs = time.perf_counter(), 0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for name, config in args.configs:
            runs += run_one(args, name, config, trained[name], seed)
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
    return summary


if __name__ == '__main__':
    main()
