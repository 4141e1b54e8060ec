"""Merge the per-run JSON files of a method comparison and summarise them.

Every run, cell (references of a task, condition and seed), task and
selection is one JSON file with a ``kind``; parts written by separate
invocations (or machines) merge by reading every folder given. Methods are
compared with plain fine-tuning seed by seed: paired t-interval, sign test
and Wilcoxon signed-rank test of the differences, the Wilcoxon p-values
also Holm-corrected over every method x cell comparison of the report
(references left out). A difference over fewer than :data:`MIN_SEEDS`
seeds is marked ``too_few_seeds``: its interval is too wide and its tests
too coarse to say much (2 seeds give a t-interval 12.7 standard errors
wide on each side, and no p-value below 0.5). A run whose new head,
target batches or data differ from the baseline's of its seed is not
paired with it: it is left out of the differences and listed as
``unpaired``.
"""
import glob
import json
import os.path as osp
import statistics
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np

from .paired_stats import correlation, holm, sign_test, wilcoxon_p
from .report import t_interval
from .threads import DEFAULT_THREADS

__all__ = [
    'MIN_SEEDS', 'PAIRING_KEYS', 'load_records', 'summarise', 'first_reach',
    'unpaired_keys'
]

BASELINE = 'plain'
REFERENCE_METHODS = ('scratch', )
# fewer paired seeds than this: the difference is marked too_few_seeds
MIN_SEEDS = 5
# where a results folder keeps its records (work_dirs and data beside them)
RECORD_FOLDERS = ('runs', 'cells', 'tasks', 'parts')


def load_records(folders: Sequence[str]) -> Dict[str, list]:
    """Every JSON record of ``folders`` (``selection.json`` and the files
    under :data:`RECORD_FOLDERS`), by kind (``run``, ``cell``, ``task``,
    ``selection``, ``part``); a run written twice (the same task,
    condition, method, seed, threads, phase and hyper-parameters) is an
    error."""
    out = defaultdict(list)
    seen = {}
    for folder in folders:
        if not osp.isdir(folder):
            raise FileNotFoundError(f'no results folder {folder!r}')
        paths = [osp.join(folder, 'selection.json')] + [
            p for sub in RECORD_FOLDERS for p in glob.glob(
                osp.join(folder, sub, '**', '*.json'), recursive=True)]
        for path in sorted(p for p in paths if osp.isfile(p)):
            with open(path) as f:
                rec = json.load(f)
            if not isinstance(rec, dict) or 'kind' not in rec:
                continue
            if rec['kind'] == 'run':
                key = tuple(rec.get(k) for k in (
                    'task', 'condition', 'method', 'seed', 'threads',
                    'phase', 'params_id'))
                if key in seen:
                    raise ValueError(f'{path} repeats the run of '
                                     f'{seen[key]}: merge disjoint parts')
                seen[key] = path
            if rec['kind'] == 'selections':  # selection.json: one per method
                out['selection'] += rec['methods']
            else:
                out[rec['kind']].append(rec)
    return dict(out)


def first_reach(run: dict, goal: float) -> tuple:
    """``(epoch, seconds)`` of the run's first validation at or above
    ``goal``, or ``(None, None)``. Seconds are the measured training time
    up to that epoch (``epoch_seconds``) or, for runs that did not record
    it, ``train_seconds`` pro rata of the epochs."""
    per_epoch = run.get('epoch_seconds')
    for epoch, acc in run['curve']:
        if acc >= goal:
            if per_epoch:
                return epoch, per_epoch[epoch - 1]
            total, last = run.get('train_seconds'), run['curve'][-1][0]
            return epoch, None if total is None else total * epoch / last
    return None, None


def _mean_sd(values) -> tuple:
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.mean(values), sd


def _paired(diffs: List[float]) -> dict:
    """Mean, 95% t-interval, wins and ties (zero differences, no win),
    sign and Wilcoxon p-values of paired differences."""
    ci = t_interval(diffs)
    return dict(mean=statistics.mean(diffs), ci95=list(ci) if ci else None,
                wins=sum(d > 0 for d in diffs),
                ties=sum(d == 0 for d in diffs), n=len(diffs),
                too_few_seeds=len(diffs) < MIN_SEEDS,
                sign_p=sign_test(diffs), wilcoxon_p=wilcoxon_p(diffs))


def _full_curve(run: dict, runs) -> list:
    """The run's curve; a diverged run's continued at its score (chance
    level) to the epochs the other runs validated at."""
    if not run.get('diverged'):
        return run['curve']
    epochs = max((r['curve'] for r in runs if not r.get('diverged')),
                 key=len, default=run['curve'])
    done = dict(map(tuple, run['curve']))
    return [[e, done.get(e, run['top1'])] for e, _ in epochs]


# what the runs of one seed must share to be compared seed by seed:
# the new head, the target batches (indices, labels, augmented pixels) and
# the data (train and evaluation images and labels)
PAIRING_KEYS = ('head_init', 'batches_digest', 'data_digest')


def unpaired_keys(run: dict, other: dict) -> List[str]:
    """The :data:`PAIRING_KEYS` both runs recorded and differ in; the
    batches of a diverged run are a prefix of the other's and not
    compared."""
    keys = [k for k in PAIRING_KEYS
            if not (k == 'batches_digest' and (run.get('diverged') or
                                               other.get('diverged')))]
    return [k for k in keys if run.get(k) is not None
            and other.get(k) is not None and run[k] != other[k]]


def _method_row(runs: Dict[int, dict], plain: Dict[int, dict]) -> dict:
    """One method of a cell; ``plain`` are the baseline's runs. A seed
    whose run is not paired with the baseline's (:func:`unpaired_keys`)
    is left out of the differences and listed in ``unpaired``."""
    seeds = sorted(runs)
    row = dict(seeds=seeds, n=len(seeds), params=runs[seeds[0]].get(
        'params', {}), config=runs[seeds[0]].get('config'))
    row['top1_mean'], row['top1_sd'] = _mean_sd(runs[s]['top1']
                                                for s in seeds)
    row['probe_mean'], row['probe_sd'] = _mean_sd(
        runs[s].get('probe_top1') for s in seeds)
    probes = [runs[s].get('probe_top1') for s in seeds]
    if len(probes) > 1 and None not in probes:
        ci = t_interval([p - row['probe_mean'] for p in probes])
        row['probe_ci95'] = [row['probe_mean'] + c for c in ci]
    row['diverged'] = sum(bool(runs[s].get('diverged')) for s in seeds)
    curves = [_full_curve(runs[s], runs.values()) for s in seeds]
    if len({tuple(e for e, _ in c) for c in curves}) == 1:
        row['curve_mean'] = [[e, statistics.mean(c[i][1] for c in curves)]
                             for i, (e, _) in enumerate(curves[0])]
    # the forgetting curve: the source head's top-1 on held-out source
    # images at step 0 and each validation, mean of the runs that made
    # every point (a diverged run stopped early)
    # (source_bn_curve: the same with the source's BatchNorm statistics)
    for key in ('source_curve', 'source_bn_curve'):
        forgetting = [runs[s][key] for s in seeds
                      if runs[s].get(key) and not runs[s].get('diverged')]
        if forgetting and len({tuple(p for p, _ in c)
                               for c in forgetting}) == 1:
            row[f'{key}_mean'] = [
                [step, statistics.mean(c[i][1] for c in forgetting)]
                for i, (step, _) in enumerate(forgetting[0])]
            row[f'{key}_runs'] = len(forgetting)
    for key in ('train_seconds', 'wall_seconds', 'cpu_seconds', 'steps'):
        row[key] = _mean_sd(runs[s].get(key) for s in seeds)[0]
    unpaired = {s: unpaired_keys(runs[s], plain[s]) for s in seeds
                if s in plain}
    row['unpaired'] = [dict(seed=s, keys=k) for s, k in unpaired.items()
                       if k]
    paired = [s for s, k in unpaired.items() if not k]
    params = {json.dumps(runs[s].get('params', {}), sort_keys=True)
              for s in seeds}
    row['inconsistent_params'] = sorted(params) if len(params) > 1 else []
    if len(paired) >= 1:
        row['diff'] = _paired([runs[s]['top1'] - plain[s]['top1']
                               for s in paired])
        pd = [runs[s].get('probe_top1', None) for s in paired]
        pp = [plain[s].get('probe_top1', None) for s in paired]
        if None not in pd + pp:
            row['probe_diff'] = _paired([a - b for a, b in zip(pd, pp)])
        row.update(_curve_diffs([runs[s] for s in paired],
                                [plain[s] for s in paired]))
        walls = [(_net_wall(runs[s]), _net_wall(plain[s])) for s in paired]
        if all(a and b for a, b in walls):
            row['wall_ratio'] = statistics.mean(a / b for a, b in walls)
        reach = [first_reach(runs[s], plain[s]['top1']) for s in paired]
        hit = [r for r in reach if r[0] is not None]
        row['reached'] = len(hit)
        row['epochs_to_plain_final'] = _mean_sd(e for e, _ in hit)[0]
        row['seconds_to_plain_final'] = _mean_sd(t for _, t in hit)[0]
    return row


def _net_wall(run: dict) -> Optional[float]:
    """A run's wall time without the forgetting curve's measurements
    (recorded as ``forgetting_seconds`` since they were timed)."""
    wall = run.get('wall_seconds')
    return None if wall is None else wall - run.get('forgetting_seconds', 0)


def _curve_diffs(runs: List[dict], plain: List[dict]) -> dict:
    """Paired differences to the baseline at every validation point
    (``curve_diff``: ``[epoch, _paired]``) and of the area under the
    accuracy curve (``auc_diff``: the mean top-1 over the validation
    points, which are equally spaced); none when the runs validated at
    other epochs than the baseline's."""
    curves = [_full_curve(r, runs) for r in runs]
    bases = [_full_curve(b, plain) for b in plain]
    epochs = {tuple(e for e, _ in c) for c in curves + bases}
    if len(epochs) != 1 or not curves:
        return {}
    points = [e for e, _ in curves[0]]
    return dict(
        curve_diff=[[e, _paired([c[i][1] - b[i][1]
                                 for c, b in zip(curves, bases)])]
                    for i, e in enumerate(points)],
        auc_diff=_paired([
            statistics.mean(a for _, a in c) -
            statistics.mean(a for _, a in b)
            for c, b in zip(curves, bases)]))


def _pairing(runs: Dict[str, Dict[int, dict]]) -> dict:
    """Whether, seed by seed, every method started from one head, saw one
    sequence of target batches and was evaluated on one set (when the
    runs recorded ``data_digest``). The differences leave a mismatched
    run out (:func:`_method_row`); this says where."""
    seeds = sorted({s for m in runs.values() for s in m})
    bad, checked = [], 0
    for seed in seeds:
        recs = {m: r[seed] for m, r in runs.items() if seed in r}
        heads = {r.get('head_init') for r in recs.values()}
        # a diverged run stopped early: its batches are a prefix
        batches = {r.get('batches_digest') for r in recs.values()
                   if not r.get('diverged')}
        data = {r.get('data_digest') for r in recs.values()}
        if None in heads | batches:
            continue
        checked += 1
        if len(heads) > 1 or len(batches) > 1 or len(data) > 1:
            bad.append(dict(seed=seed, heads=len(heads),
                            batches=len(batches), data=len(data)))
    return dict(checked_seeds=checked, mismatched=bad)


def _noise_floor(plain_runs: List[dict], main_threads: int) -> Optional[dict]:
    """The baseline rerun on other thread counts minus the baseline, on
    the seeds (and data) both ran."""
    by_threads = defaultdict(dict)
    for r in plain_runs:
        by_threads[r.get('threads')][r['seed']] = r
    main = by_threads.get(main_threads, {})
    out = {}
    for t in (t for t in by_threads if t != main_threads):
        seeds = sorted(
            s for s in set(by_threads[t]) & set(main)
            if by_threads[t][s].get('data_digest') == main[s].get(
                'data_digest'))
        if not seeds:
            continue
        diffs = [by_threads[t][s]['top1'] - main[s]['top1'] for s in seeds]
        out[str(t)] = dict(_paired(diffs), max_abs=max(map(abs, diffs)),
                           identical=sum(d == 0 for d in diffs))
    return out or None


def _centred(runs: List[dict], x: np.ndarray, y: np.ndarray,
             keys: Sequence[str]) -> tuple:
    """``x`` and ``y`` (one value per run) minus their mean over the runs
    that share the values of ``keys``."""
    cx, cy = x.copy(), y.copy()
    groups = defaultdict(list)
    for i, r in enumerate(runs):
        groups[tuple(r[k] for k in keys)].append(i)
    for idx in groups.values():
        cx[idx] -= cx[idx].mean()
        cy[idx] -= cy[idx].mean()
    return cx, cy


def _holm(cells: List[dict], baseline: str) -> dict:
    """Holm-correct the Wilcoxon p-values of every method's difference
    to the baseline over all cells (one family per report; references
    left out): sets ``wilcoxon_p_holm`` in each ``diff``."""
    diffs = [r['diff'] for c in cells for m, r in c['methods'].items()
             if m != baseline and m not in REFERENCE_METHODS
             and r.get('diff')]
    for d, p in zip(diffs, holm([d['wilcoxon_p'] for d in diffs])):
        d['wilcoxon_p_holm'] = p
    return dict(test='wilcoxon', comparisons=len(diffs),
                left_out=list(REFERENCE_METHODS))


def _order(name: str, baseline: str) -> tuple:
    return (name != baseline, name in REFERENCE_METHODS, name)


def _selection_by_task(records: Dict[str, list]) -> List[dict]:
    """The selections, each candidate with its validation top-1 per task
    too (mean over the selection's seeds and the task's cells)."""
    select = [r for r in records.get('run', []) if r.get('phase') == 'select']
    out = []
    for s in records.get('selection', []):
        s = dict(s, candidates=[dict(c) for c in s['candidates']])
        for c in s['candidates']:
            by_task = defaultdict(list)
            for r in select:
                if (r['method'] == s['method'] and r['params'] == c['params']
                        and r['seed'] in s['seeds']):
                    by_task[r['task']].append(r['top1'])
            c['val_top1_by_task'] = {
                t: statistics.mean(v) for t, v in sorted(by_task.items())}
        out.append(s)
    return out


def summarise(records: Dict[str, list], baseline: str = BASELINE) -> dict:
    """Tables' numbers from :func:`load_records`' output (phase ``test``
    runs; ``select`` runs only feed the selection table), every method
    against ``baseline`` (default ``'plain'``)."""
    runs = [r for r in records.get('run', []) if r.get('phase') == 'test']
    if not runs:
        raise ValueError('no test runs to summarise')
    # the thread count of most methods (then runs): others are reruns
    methods_of = defaultdict(set)
    for r in runs:
        methods_of[r.get('threads')].add(r['method'])
    count = Counter(r.get('threads') for r in runs)
    main_threads = max(count, key=lambda t: (len(methods_of[t]), count[t],
                                             t == DEFAULT_THREADS))
    cells = defaultdict(lambda: defaultdict(dict))
    plain_all = defaultdict(list)
    for r in runs:
        key = (r['task'], r['condition'])
        if r['method'] == baseline:
            plain_all[key].append(r)
        if r.get('threads') == main_threads:
            cells[key][r['method']][r['seed']] = r
    refs = defaultdict(list)
    for c in records.get('cell', []):
        refs[(c['task'], c['condition'])].append(c)
    out_cells = []
    for key in sorted(cells):
        methods = cells[key]
        plain = methods.get(baseline, {})
        rows = {m: _method_row(methods[m], plain)
                for m in sorted(methods, key=lambda m: _order(m, baseline))}
        ref = {}
        for name in ('knn1', 'knn5', 'linear_probe'):
            ref[name] = _mean_sd(c.get(name) for c in refs[key])[0]
        for m in REFERENCE_METHODS:
            if m in rows:
                ref[m] = rows[m]['top1_mean']
        known = {n: v for n, v in ref.items() if v is not None}
        beaten = [n for n, v in known.items()
                  if not plain or rows[baseline]['top1_mean'] <= v]
        pretrained_probe = next(
            (t['probe'].get('pretrained') for t in records.get('task', [])
             if t['task'] == key[0] and isinstance(t.get('probe'), dict)),
            None)
        if pretrained_probe is not None:
            for r in rows.values():
                if r['probe_mean'] is not None:
                    r['probe_minus_pretrained'] = \
                        r['probe_mean'] - pretrained_probe
        out_cells.append(dict(
            task=key[0], condition=key[1], methods=rows, references=ref,
            pretrained_probe=pretrained_probe,
            reference_seeds=len(refs[key]),
            # None: no reference to compare with (e.g. user configs)
            informative=not beaten if known else None,
            plain_not_above=beaten,
            pairing=_pairing(methods),
            noise_floor=_noise_floor(plain_all[key], main_threads)))
    probed = [r for r in runs
              if r.get('threads') == main_threads and 'probe_top1' in r]
    # the references (training from scratch) are lower on both by
    # construction: the claim is about the pre-trained methods
    tuned = [r for r in probed if r['method'] not in REFERENCE_METHODS]
    corr = None
    if len(tuned) >= 3:
        x, y = np.array([(r['probe_top1'], r['top1']) for r in tuned],
                        dtype=float).T
        corr = dict(all_runs=correlation(x, y), runs=len(tuned),
                    left_out=sorted({r['method'] for r in probed} &
                                    set(REFERENCE_METHODS)))
        # within a cell: the cell's level (task difficulty) removed; within
        # a cell and seed: also the seed's (its data), leaving what the
        # methods of one seed do differently
        corr['within_cell'] = correlation(*_centred(
            tuned, x, y, ('task', 'condition')))
        corr['within_cell_seed'] = correlation(*_centred(
            tuned, x, y, ('task', 'condition', 'seed')))
        corr['points'] = [[r['method'], r['probe_top1'], r['top1']]
                          for r in probed]
    settings = sorted({json.dumps(r.get('settings'), sort_keys=True)
                       for r in runs if r.get('settings')})
    return dict(baseline=baseline, main_threads=main_threads,
                settings=[json.loads(t) for t in settings],
                holm=_holm(out_cells, baseline), min_seeds=MIN_SEEDS,
                cells=out_cells,
                correlation=corr, tasks=list({  # parts rewrite them
                    t['task']: t for t in records.get('task', [])}.values()),
                selection=_selection_by_task(records),
                parts=records.get('part', []))
