"""What ``tools/benchmark_methods.py`` does with its parsed arguments: a
part (the test runs, or the hyper-parameter selection), its timing record,
the quick mode and the report.
"""
import argparse
import os.path as osp
import statistics
import time

from .method_parts import Part, load, params_of, run_spec, save, slug
from .method_report import report_location, write_report
from .method_stats import load_records, summarise
from .methods import candidates
from .quick_data import write_quick_fashion, write_quick_font
from .threads import pin_threads

__all__ = [
    'part_name', 'quick', 'report', 'run_benchmark', 'run_part',
    'select_part', 'timed'
]


def run_part(args) -> Part:
    """Every method on every cell and seed, evaluated on the test split,
    with the selected hyper-parameters; refuses seeds that selected them."""
    part = Part(args, len(args.tasks) * len(args.conditions) * args.seeds *
                len(args.method_table))
    sel_seeds = {s for m in part.selection.values() for s in m['seeds']}
    seeds = set(range(args.first_seed, args.first_seed + args.seeds))
    if sel_seeds & seeds:
        raise SystemExit(f'seeds {sorted(sel_seeds & seeds)} chose the '
                         'hyper-parameters (selection.json): report others'
                         ' (--first-seed)')
    for task, condition, seed, pre, probe, cell in part.cells():
        part.references(task, condition, seed, cell, pre)
        spec = run_spec(args, pre, cell, seed, cell['target'])
        for name, method in args.method_table.items():
            part.run('test', task, condition, seed, name,
                     params_of(name, method, part.selection), spec, probe)
    return part


def select_part(args) -> Part:
    """Each method with a grid (plain first: its BatchNorm choice is every
    method's), every candidate on every cell and seed, scored on the
    validation split; the best mean is written to selection.json."""
    names = sorted((n for n, m in args.method_table.items() if m.grid),
                   key=lambda n: n != 'plain')
    cells = len(args.tasks) * len(args.conditions) * args.seeds
    part = Part(args, cells * sum(
        len(candidates(args.method_table[n])) for n in names))
    path = osp.join(args.out, 'selection.json')
    tested = {r['seed'] for r in load_records([args.out]).get('run', [])
              if r.get('phase') == 'test'} if osp.isdir(args.out) else set()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    if tested & set(seeds):
        raise SystemExit(f'seeds {sorted(tested & set(seeds))} are reported'
                         ' runs: select on other seeds (--first-seed)')
    for name in names:
        method = args.method_table[name]
        scores = {}
        for task, condition, seed, pre, _, cell in part.cells(False):
            spec = run_spec(args, pre, cell, seed, cell['val'])
            for cand in candidates(method):
                params = params_of(name, method, part.selection, cand)
                rec = part.run('select', task, condition, seed, name,
                               params, spec, None)
                scores.setdefault(slug(params), (params, []))[1].append(
                    rec)
        ranked = [dict(params=p, val_top1=statistics.mean(
            r['top1'] for r in v), runs=len(v), diverged=sum(
                bool(r.get('diverged')) for r in v))
                  for p, v in scores.values()]
        best = max(ranked, key=lambda c: c['val_top1'])  # first on ties
        part.selection[name] = dict(
            kind='selection', method=name, params=best['params'],
            candidates=ranked, seeds=seeds,
            cells=[[t, c] for t in args.tasks for c in args.conditions])
        # another part may have selected other methods meanwhile
        on_disk = {s['method']: s for s in load(path)['methods']} \
            if osp.exists(path) else {}
        save(path, dict(kind='selections', methods=list(
            {**on_disk, name: part.selection[name]}.values())))
        print(f'{name}: chose {slug(best["params"])} (validation top1 '
              f'{best["val_top1"]:.2f})', flush=True)
    return part


def report(folders, out_dir):
    """Summarise ``folders`` into a report in ``out_dir``; print its
    tables and where it went."""
    summary = summarise(load_records(folders))
    paths = write_report(summary, out_dir)
    print(open(paths['markdown']).read())
    print(report_location(paths), flush=True)
    return summary


def timed(args, name, fn):
    """Run a part; print and record its time (pre-training apart)."""
    start = time.perf_counter()
    part = fn(args)
    seconds = time.perf_counter() - start
    save(osp.join(args.out, 'parts', f'{time.time_ns()}.json'),
         dict(kind='part', name=name, runs=part.runs, seconds=seconds,
              pretrain_seconds=part.pretrain_seconds))
    print(f'part {name}: {part.runs} runs in {seconds:.0f} s (of which '
          f'pre-training {part.pretrain_seconds:.0f} s)', flush=True)


def part_name(args):
    phase = 'select' if args.select else 'test'
    return (f"{phase} tasks={','.join(args.tasks)}"
            f" conditions={','.join(args.conditions)} methods="
            f"{','.join(args.methods)} seeds={args.first_seed}-"
            f'{args.first_seed + args.seeds - 1} threads={args.threads}')


def quick(args):
    """Select (1 seed, plain and lwf), test (2 seeds, every method), noise
    floor (plain on another thread count), report."""
    data = osp.join(args.out, 'quick_data')
    args.fashion_root = write_quick_fashion(osp.join(data, 'fashion'))
    args.font_root = write_quick_font(osp.join(data, 'fonts'))
    table = args.method_table
    sel = argparse.Namespace(**vars(args))
    sel.tasks, sel.seeds, sel.first_seed, sel.select = ['far'], 1, 100, True
    sel.method_table = {m: table[m] for m in ('plain', 'lwf') if m in table}
    sel.methods = list(sel.method_table)
    timed(sel, part_name(sel), select_part)
    timed(args, part_name(args), run_part)
    floor = argparse.Namespace(**vars(args))
    floor.threads = 2 if args.threads == 1 else 1
    floor.method_table, floor.methods = {'plain': table['plain']}, ['plain']
    pin_threads(floor.threads)
    timed(floor, part_name(floor), run_part)
    pin_threads(args.threads)
    return report([args.out], args.report_out)


def run_benchmark(args):
    """Merge ``args.report`` into a report; or run the quick mode; or run
    one part (``--select`` or the test runs) and, once the folder holds
    test runs, report it.

    Args:
        args (Namespace): ``tools/benchmark_methods.py``'s parsed arguments
            (with ``method_table`` and ``config_dir``).

    Returns:
        dict | None: The report's summary, if one was made.
    """
    if args.report:
        return report(args.report, args.report_out)
    pin_threads(args.threads)
    if args.quick:
        return quick(args)
    timed(args, part_name(args), select_part if args.select else run_part)
    if any(r.get('phase') == 'test'
           for r in load_records([args.out]).get('run', [])):
        return report([args.out], osp.join(args.out, 'report'))
    return None
