"""Markdown tables, JSON and plots of a method comparison.

Input: :func:`method_stats.summarise`'s output. Output, in one folder:
``results.json`` (the summary), ``results.md`` (the tables) and the
plots: ``accuracy_vs_epoch.png`` (mean target top-1 of each method over
the seeds, one panel per cell), ``forest.png`` (each method minus the
baseline, mean and 95% t-interval, per cell; references left out),
``probe_vs_target.png`` (probe k-NN top-1 against target top-1, every
run; only when runs recorded a probe) and ``forgetting.png`` (the source
head's top-1 on held-out source images against the step, mean per
method, one panel per cell; only when runs recorded it).
"""
import json
import math
import os
import os.path as osp
from typing import List

from .method_stats import REFERENCE_METHODS
from .report import figure_saver
from .report_tables import (
    curve_table,
    fmt,
    fmt_ci,
    fmt_holm_p,
    fmt_params,
    forgetting_table,
    probe_table,
    selection_table,
    task_table,
)

__all__ = ['PLOTS', 'report_location', 'write_report', 'write_summary']

# every plot a report may make
PLOTS = ('accuracy_vs_epoch.png', 'forest.png', 'probe_vs_target.png',
         'forgetting.png')


def _cell_table(cell: dict, baseline: str) -> List[str]:
    lines = [
        f"### {cell['task']} / {cell['condition']}", '',
        f'| method | seeds | top1 mean ± sd | - {baseline} [95% CI] | wins | '
        f'sign p | Wilcoxon p | Wilcoxon p, Holm | epochs to {baseline} '
        f'final (seeds) | s to {baseline} final | train s/run | probe top1 '
        f'[95% CI] | probe - {baseline} [95% CI] | hyper-parameters |',
        '|' + ' --- |' * 14
    ]
    for name, r in cell['methods'].items():
        d, base = r.get('diff'), name == baseline
        pci = r.get('probe_ci95')
        probe = fmt(r['probe_mean']) + (
            f' [{pci[0]:.2f}, {pci[1]:.2f}]' if pci else '')
        lines.append(
            f"| {name} | {r['n']} | {fmt(r['top1_mean'])} ± "
            f"{fmt(r['top1_sd'])} | {'' if base else fmt_ci(d)} | "
            f"{'' if base or not d else str(d['wins']) + '/' + str(d['n'])} |"
            f" {'' if base or not d else fmt(d['sign_p'], '.3f')} | "
            f"{'' if base or not d else fmt(d['wilcoxon_p'], '.3f')} | "
            f"{'' if base or not d else fmt_holm_p(d)} | "
            f"{fmt(r.get('epochs_to_plain_final'), '.1f')} "
            f"({r.get('reached', '-')}/{r['n']}) | "
            f"{fmt(r.get('seconds_to_plain_final'), '.1f')} | "
            f"{fmt(r.get('train_seconds'), '.1f')} | {probe} | "
            f"{'' if base else fmt_ci(r.get('probe_diff'))} | "
            f"{fmt_params(r['params'])} |")
    diverged = {m: f"{r['diverged']}/{r['n']}"
                for m, r in cell['methods'].items() if r.get('diverged')}
    ref = cell['references']
    names = dict(knn1='raw-pixel 1-NN', knn5='raw-pixel 5-NN',
                 linear_probe='linear probe on frozen pre-trained features',
                 scratch='training from scratch')
    known = {k: v for k, v in ref.items() if v is not None}
    lines.append('')
    if known:
        lines.append('- References (mean over seeds): ' + ', '.join(
            f'{names.get(k, k)} {fmt(v)}' for k, v in known.items()) + '.')
    if cell['informative'] is None:
        lines.append('- No reference points (k-NN, linear probe, scratch) '
                     'recorded: whether the cell can show a transfer '
                     'effect is not checked.')
    elif cell['informative']:
        lines.append(f'- {baseline} beats every reference: the cell can '
                     'show a transfer effect.')
    else:
        lines.append(f'- **Uninformative cell**: {baseline} does not beat ' +
                     ', '.join(names.get(k, k) for k in
                               cell['plain_not_above']) +
                     (f' (no {baseline} runs)' if baseline not in
                      cell['methods'] else '') + '.')
    if diverged:
        lines.append('- **Diverged** (a non-finite loss stopped training; '
                     'the run scores chance level, 100 / classes): ' +
                     ', '.join(f'{m} {v} seeds' for m, v in
                               diverged.items()) + '.')
    p = cell['pairing']
    lines.append(
        f"- Pairing: {p['checked_seeds']} seeds checked, every method from "
        'the same head init and the same target batches and augmentations.'
        if p['checked_seeds'] and not p['mismatched'] else
        f"- **Pairing MISMATCH**: {p['mismatched']}" if p['mismatched'] else
        '- Pairing: not recorded (runs without RunRecordHook).')
    for t, nf in (cell['noise_floor'] or {}).items():
        lines.append(
            f'- Noise floor ({baseline} rerun with {t} threads - '
            f'{baseline}): '
            f"{fmt_ci(nf)}, max |diff| {nf['max_abs']:.2f}, identical "
            f"{nf['identical']}/{nf['n']} seeds.")
    unpaired = {m: r['unpaired'] for m, r in cell['methods'].items()
                if r.get('unpaired')}
    if unpaired:
        lines.append(
            f'- **Unpaired runs, left out of the differences to {baseline}**'
            ': ' + '; '.join(
                f"{m} seed {u['seed']} ({', '.join(u['keys'])} differ)"
                for m, runs in unpaired.items() for u in runs) + '.')
    bad = {m: r['inconsistent_params'] for m, r in cell['methods'].items()
           if r['inconsistent_params']}
    if bad:
        lines.append(f'- **Hyper-parameters differ between seeds**: {bad}')
    return lines + ['']


def _summary_table(summary: dict) -> List[str]:
    """Method x cell: top-1 mean, difference to the baseline with its
    95% t-interval and the seeds won; the references below."""
    cells, base = summary['cells'], summary['baseline']
    if not cells:
        return []
    names = list(dict.fromkeys(m for c in cells for m in c['methods']))
    head = [f"{c['task']} / {c['condition']}" for c in cells]
    holm = summary.get('holm') or {}
    lines = ['## Summary', '',
             f'Target top-1 (%), mean over seeds; below the {base} row: '
             f'method - {base} [95% paired t-interval] (seeds won'
             + (', Wilcoxon signed-rank p Holm-corrected over the '
                f"{holm['comparisons']} method x cell comparisons with "
                f'{base}, references left out' if holm else '') + ').'
             + (f" Fewer than {summary['min_seeds']} paired seeds: marked "
                '**too few seeds** (the interval and the tests say little).'
                if 'min_seeds' in summary else ''), '',
             '| method | ' + ' | '.join(head) + ' |',
             '| --- |' + ' --- |' * len(cells)]
    for name in names:
        row = []
        for c in cells:
            r = c['methods'].get(name)
            if r is None:
                row.append('-')
                continue
            text = fmt(r['top1_mean'])
            d = r.get('diff')
            if name != base and d:
                text += f" ({fmt_ci(d)}, {d['wins']}/{d['n']}" + (
                    f', Holm p {fmt_holm_p(d)})' if 'wilcoxon_p_holm' in d
                    else ')')
            if r.get('diverged'):
                text += f", {r['diverged']} diverged"
            if r.get('unpaired'):
                text += f", **{len(r['unpaired'])} unpaired left out**"
            row.append(text)
        lines.append(f'| {name} | ' + ' | '.join(row) + ' |')
    refs = dict(knn1='raw-pixel 1-NN', knn5='raw-pixel 5-NN',
                linear_probe='linear probe (frozen)')
    for key, label in refs.items():
        lines.append(f'| {label} | ' + ' | '.join(
            fmt(c['references'].get(key)) for c in cells) + ' |')
    lines.append('| informative cell | ' + ' | '.join(
        '-' if c['informative'] is None else
        'yes' if c['informative'] else '**no**' for c in cells) + ' |')
    return lines + ['']


def _markdown(summary: dict) -> str:
    # None (or 0 in older records): runs the harness did not pin, e.g.
    # tools/compare_methods.py's
    lines = [f"Threads: {summary['main_threads']} (runs with other thread "
             'counts only give the noise floor).' if summary['main_threads']
             else 'Threads: not pinned (each run used what its config and '
             'environment gave).', '']
    settings = summary.get('settings', [])
    if len(settings) == 1:
        lines += ['Settings: ' + ', '.join(
            f'{k} {v}' for k, v in settings[0].items()) + '.', '']
    elif settings:
        lines += ['**The runs were made with different settings**: '
                  f'{settings}', '']
    lines += _summary_table(summary)
    lines += task_table(summary)
    lines += selection_table(summary)
    lines += forgetting_table(summary)
    lines += probe_table(summary)
    lines += curve_table(summary)
    lines += ['## Target top-1 by cell', '']
    for cell in summary['cells']:
        lines += _cell_table(cell, summary['baseline'])
    corr = summary['correlation']
    if corr:
        lines += ['## Probe accuracy vs target accuracy', '']
        if corr.get('left_out'):
            lines += ['Pre-trained methods only (' + ', '.join(
                corr['left_out']) + ' left out: lower on both by '
                'construction; the plot shows every run).', '']
        for key, what in (('all_runs', 'over all cells'),
                          ('within_cell', 'within cells (cell means '
                           'subtracted)'),
                          ('within_cell_seed', 'within cells and seeds '
                           '(the means of each cell and seed subtracted: '
                           'what the methods of one seed do differently)')):
            c = corr.get(key)
            if c is None:
                continue
            lines.append(
                f"- {what} ({corr['runs']} runs): Pearson r = "
                f"{fmt(c['pearson_r'], '.3f')} (p = "
                f"{fmt(c['pearson_p'], '.3g')}), Spearman rho = "
                f"{fmt(c['spearman_rho'], '.3f')} (p = "
                f"{fmt(c['spearman_p'], '.3g')})")
        lines.append('')
    if summary['parts']:
        lines += ['## Parts and their times', '',
                  '| part | runs | seconds | of which pre-training | '
                  's/run without it |', '| --- | --- | --- | --- | --- |']
        for p in summary['parts']:
            pre = p.get('pretrain_seconds', 0.0)
            per_run = (p['seconds'] - pre) / p['runs'] if p['runs'] else None
            lines.append(f"| {p['name']} | {p['runs']} | "
                         f"{p['seconds']:.0f} | {pre:.0f} | "
                         f"{fmt(per_run, '.1f')} |")
    return '\n'.join(lines) + '\n'


def _cell_panels(plt, cells: list) -> tuple:
    """A figure with one panel per cell (4 a row), the panels paired with
    their cells; the spare panels of the last row are blank."""
    cols = min(4, len(cells))
    rows = math.ceil(len(cells) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows),
                             squeeze=False)
    for ax in list(axes.flat)[len(cells):]:
        ax.axis('off')
    return fig, zip(axes.flat, cells)


def _plots(summary: dict, out_dir: str) -> List[str]:
    paths = []
    save = figure_saver(out_dir, paths)
    import matplotlib.pyplot as plt
    cells = summary['cells']

    names = list(dict.fromkeys(m for c in cells for m in c['methods']))
    color = {m: f'C{i % 10}' for i, m in enumerate(names)}
    fig, panels = _cell_panels(plt, cells)
    for ax, cell in panels:
        for name, r in cell['methods'].items():
            if r.get('curve_mean'):
                e, a = zip(*r['curve_mean'])
                ax.plot(e, a, marker='.', label=name, color=color[name])
        ax.set(title=f"{cell['task']} / {cell['condition']}", xlabel='epoch',
               ylabel='target top-1 (%)')
        ax.legend(fontsize=6)
    save(fig, 'accuracy_vs_epoch.png')

    rows = [(f"{c['task']}/{c['condition']} {m}", r['diff'])
            for c in cells for m, r in c['methods'].items()
            if m != summary['baseline'] and m not in REFERENCE_METHODS
            and r.get('diff') and r['diff'].get('ci95')]
    fig, ax = plt.subplots(figsize=(6.5, 0.28 * len(rows) + 1.2))
    for i, (_, d) in enumerate(rows):
        lo, hi = d['ci95']
        ax.errorbar(d['mean'], i, xerr=[[d['mean'] - lo], [hi - d['mean']]],
                    fmt='o', color='C0' if lo > 0 else 'C3' if hi < 0 else
                    'C7', capsize=3)
    ax.axvline(0, color='k', lw=0.8)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set(xlabel=f"method - {summary['baseline']}, top-1 (points, 95% "
           't-interval)')
    save(fig, 'forest.png')

    points = (summary['correlation'] or {}).get('points', [])
    if points:  # no run measured a probe: no plot
        fig, ax = plt.subplots(figsize=(5, 4))
        for name in names:
            xy = [(p[1], p[2]) for p in points if p[0] == name]
            if xy:
                ax.scatter(*zip(*xy), s=10, label=name, color=color[name])
        ax.set(xlabel='probe k-NN top-1 (%)', ylabel='target top-1 (%)',
               title='every run')
        ax.legend(fontsize=6)
        save(fig, 'probe_vs_target.png')

    forgetting = [c for c in cells if any(
        r.get('source_curve_mean') for r in c['methods'].values())]
    if forgetting:
        source_top1 = {t['task']: t.get('source_top1')
                       for t in summary['tasks']}
        fig, panels = _cell_panels(plt, forgetting)
        for ax, cell in panels:
            for name, r in cell['methods'].items():
                if r.get('source_curve_mean'):
                    s, a = zip(*r['source_curve_mean'])
                    ax.plot(s, a, marker='.', label=name, color=color[name])
                if r.get('source_bn_curve_mean'):
                    s, a = zip(*r['source_bn_curve_mean'])
                    ax.plot(s, a, ls='--', color=color[name])
            if source_top1.get(cell['task']) is not None:
                ax.axhline(source_top1[cell['task']], color='k', lw=0.8,
                           ls='--', label='pre-trained')
            ax.set(title=f"{cell['task']} / {cell['condition']}",
                   xlabel='step', ylabel='source top-1 (%), held out')
            ax.legend(fontsize=6)
        save(fig, 'forgetting.png')
    return paths


def write_summary(summary: dict, markdown: str, out_dir: str,
                  stem: str) -> dict:
    """Write ``<stem>.json`` (the summary) and ``<stem>.md`` (the tables)
    into ``out_dir``.

    Returns:
        dict: ``json`` and ``markdown`` paths.
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = dict(json=osp.join(out_dir, f'{stem}.json'),
                 markdown=osp.join(out_dir, f'{stem}.md'))
    with open(paths['json'], 'w') as f:
        json.dump(summary, f, indent=1)
    with open(paths['markdown'], 'w') as f:
        f.write(markdown)
    return paths


def write_report(summary: dict, out_dir: str) -> dict:
    """Write ``results.json``, ``results.md`` and the plots to
    ``out_dir``; returns their paths. A plot an earlier report left there
    that this one does not make (e.g. ``probe_vs_target.png`` of runs
    without a probe) is removed."""
    paths = write_summary(summary, _markdown(summary), out_dir, 'results')
    paths['plots'] = _plots(summary, out_dir)
    for name in PLOTS:
        path = osp.join(out_dir, name)
        if path not in paths['plots'] and osp.exists(path):
            os.remove(path)
    return paths


def report_location(paths: dict) -> str:
    """The line that says where :func:`write_report` wrote."""
    names = [paths['markdown'], paths['json']] + paths['plots']
    return (f'Report written to {osp.dirname(paths["markdown"])}: '
            + ', '.join(osp.basename(p) for p in names))
