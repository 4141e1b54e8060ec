"""Statistics, Markdown tables and plots of tools/benchmark_transfer.py."""
import math
import os.path as osp
import statistics
from typing import Dict, List, Optional

__all__ = ['figure_saver', 'paired_summary', 'write_plots', 'write_tables']


def _mean_std(values: List[float]) -> tuple:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.mean(values), std


def t_interval(diffs: List[float], level: float = 0.95) -> Optional[tuple]:
    """Two-sided t confidence interval of the mean of paired differences.

    Returns None for fewer than 2 pairs.
    """
    n = len(diffs)
    if n < 2:
        return None
    from scipy import stats
    mean, sd = _mean_std(diffs)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


def _first_epoch(curve: List[float], goal: float) -> Optional[int]:
    for epoch, acc in enumerate(curve, start=1):
        if acc >= goal:
            return epoch
    return None


def paired_summary(methods: Dict[str, list], epochs: int) -> dict:
    """Compare each method with ``methods['plain']``, seed by seed.

    Args:
        methods (dict): Method name to one record per seed (``top1``,
            ``curve`` = top-1 after each epoch, ``seconds``); the same seed
            order for every method.
        epochs (int): Epochs of every run.

    Returns:
        dict: Per method: ``top1_mean``, ``top1_std``, and against plain:
        ``diff_mean``, ``diff_ci95`` (None under 2 seeds), ``wins``,
        ``epochs_to_plain_final`` / ``seconds_to_plain_final`` (means over
        the seeds that reach it, ``reached`` counts them) and
        ``wall_time_ratio`` (total seconds / plain's).
    """
    plain = methods['plain']
    out = {}
    for name, recs in methods.items():
        mean, std = _mean_std([r['top1'] for r in recs])
        row = dict(top1_mean=mean, top1_std=std, seeds=len(recs))
        diffs = [r['top1'] - p['top1'] for r, p in zip(recs, plain)]
        row['diff_mean'] = statistics.mean(diffs)
        row['diff_ci95'] = t_interval(diffs)
        row['wins'] = sum(d > 0 for d in diffs)
        hit = [(_first_epoch(r['curve'], p['top1']), r['seconds'])
               for r, p in zip(recs, plain)]
        reached = [(e, s * e / epochs) for e, s in hit if e is not None]
        row['reached'] = len(reached)
        row['epochs_to_plain_final'] = statistics.mean(
            e for e, _ in reached) if reached else None
        row['seconds_to_plain_final'] = statistics.mean(
            s for _, s in reached) if reached else None
        row['wall_time_ratio'] = sum(r['seconds'] for r in recs) / sum(
            p['seconds'] for p in plain)
        out[name] = row
    return out


def _fmt(value, spec='.2f'):
    return '-' if value is None else format(value, spec)


def _seed_range(settings: dict) -> str:
    first = settings.get('first_seed', 0)
    return f' ({first}-{first + settings["seeds"] - 1})' if first else ''


def write_tables(results: dict, path: str) -> None:
    """Write the Markdown report of a benchmark run."""
    s = results['settings']
    lines = [
        f"Source digits {s['source_classes']}, target {s['target_classes']}"
        f", probe {s['probe_classes']}; {s['seeds']} seeds"
        f"{_seed_range(s)}, {s['epochs']} "
        f"epochs few-shot, {s['epochs_full']} epochs otherwise; soft: start "
        f"weight {s['start_weight']}, {s['shape']} decay "
        f"to 0 at {s['decay_end']} of training, {s['source_batch_size']} "
        'source images per batch.', ''
    ]
    header = ('| condition | method | top-1 mean ± std | soft - plain '
              '[95% CI] | seeds soft > plain | epochs to plain final | s to '
              'plain final | wall time / plain |')
    lines += [header, '|' + ' --- |' * 8]
    for condition, rows in results['summary'].items():
        for name, r in rows.items():
            ci = r['diff_ci95']
            diff = '' if name == 'plain' else (
                f"{r['diff_mean']:+.2f} " +
                (f'[{ci[0]:+.2f}, {ci[1]:+.2f}]' if ci else '[n/a]'))
            wins = '' if name == 'plain' else f"{r['wins']}/{r['seeds']}"
            lines.append(
                f"| {condition} | {name} | {r['top1_mean']:.2f} ± "
                f"{r['top1_std']:.2f} | {diff} | {wins} | "
                f"{_fmt(r['epochs_to_plain_final'], '.1f')} "
                f"({r['reached']}/{r['seeds']}) | "
                f"{_fmt(r['seconds_to_plain_final'], '.1f')} | "
                f"{r['wall_time_ratio']:.2f} |")
    lines += ['', '| general discrimination (probe k-NN top-1) | value |',
              '| --- | --- |']
    for name, value in results['probe'].items():
        lines.append(f'| {name} | {value:.2f} |')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def figure_saver(out_dir: str, paths: List[str]):
    """``save(fig, name)``: write ``fig`` as ``out_dir/name`` (PNG, Agg
    backend), append the path to ``paths`` and close the figure."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    def save(fig, name):
        fig.tight_layout()
        paths.append(osp.join(out_dir, name))
        fig.savefig(paths[-1], dpi=90)
        plt.close(fig)

    return save


def write_plots(results: dict, out_dir: str) -> List[str]:
    """Accuracy vs epoch, source weight vs iteration, probe accuracy."""
    import matplotlib.pyplot as plt
    runs = results['runs']
    paths = []
    save = figure_saver(out_dir, paths)

    fig, axes = plt.subplots(1, len(runs), figsize=(4.5 * len(runs), 3.5),
                             squeeze=False)
    for ax, (condition, methods) in zip(axes[0], runs.items()):
        for name, recs in methods.items():
            curves = [r['curve'] for r in recs]
            mean = [statistics.mean(c[i] for c in curves)
                    for i in range(len(curves[0]))]
            ax.plot(range(1, len(mean) + 1), mean, label=name)
        ax.set(title=condition, xlabel='epoch', ylabel='target top-1 (%)')
        ax.legend(fontsize=7)
    save(fig, 'accuracy_vs_epoch.png')

    fig, ax = plt.subplots(figsize=(4.5, 3))
    for name, recs in next(iter(runs.values())).items():
        if recs[0].get('source_weight'):
            ax.plot(recs[0]['source_weight'], label=name)
    ax.set(xlabel='iteration', ylabel='source weight w')
    ax.legend(fontsize=7)
    save(fig, 'source_weight.png')

    fig, ax = plt.subplots(figsize=(4.5, 3))
    names = list(results['probe'])
    ax.bar(names, [results['probe'][n] for n in names])
    ax.set(ylabel='probe k-NN top-1 (%)',
           title='general discrimination (unseen classes)')
    ax.tick_params(axis='x', labelsize=7, rotation=20)
    save(fig, 'probe_accuracy.png')
    return paths
