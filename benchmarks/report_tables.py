"""Tables of the method report beside the per-cell ones: the source
models, the selection, and the claims' measurements (forgetting, the
probe against the pre-trained probe, accuracy paired at every
validation); with the number formats every table of the report uses.
"""
import statistics
from typing import List

__all__ = ['fmt', 'fmt_ci', 'fmt_holm_p', 'fmt_params', 'task_table',
           'selection_table', 'forgetting_table', 'probe_table',
           'curve_table']


def fmt(value, spec='.2f') -> str:
    return '-' if value is None else format(value, spec)


def fmt_ci(paired, spec='+.2f') -> str:
    """Mean [95% interval], marked when too few seeds made it."""
    if not paired:
        return ''
    ci = paired.get('ci95')
    return f"{paired['mean']:{spec}} " + (
        f'[{ci[0]:{spec}}, {ci[1]:{spec}}]' if ci else '[n/a]') + (
        f" **n = {paired['n']}: too few seeds**"
        if paired.get('too_few_seeds') else '')


def fmt_holm_p(paired) -> str:
    return fmt(paired.get('wilcoxon_p_holm'), '.3f')


def fmt_params(params: dict) -> str:
    return ', '.join(f'{k.split(".")[-1]}={v}' for k, v in params.items()) \
        or 'config as shipped'


def task_table(summary: dict) -> List[str]:
    if not summary['tasks']:
        return []
    lines = ['## Source models and probe references', '',
             '| task | source classes | source top1 | pre-training steps | '
             'probe: raw pixels | probe: random init (mean of seeds) | '
             'probe: pre-trained |', '|' + ' --- |' * 7]
    for t in sorted(summary['tasks'], key=lambda t: t['task']):
        p = t['probe']
        lines.append(
            f"| {t['task']} | {len(t['source_classes'])} | "
            f"{t['source_top1']:.2f} | {t['pretrain_steps']} | "
            f"{p['raw_pixel']:.2f} | {statistics.mean(p['random_init']):.2f}"
            f" | {p['pretrained']:.2f} |")
    return lines + ['']


def selection_table(summary: dict) -> List[str]:
    if not summary['selection']:
        return []
    lines = ['## Hyper-parameters chosen on validation data', '',
             'Validation top-1 (the split carved from the target training '
             'images), mean over the selection seeds; the choice is the '
             'best mean over all cells (**bold**). A diverged run scores '
             'chance level.', '']
    for s in sorted(summary['selection'], key=lambda s: s['method']):
        tasks = sorted({t for c in s['candidates']
                        for t in c.get('val_top1_by_task', {})})
        # (no task columns when the selection runs are in another folder)
        lines += [f"### {s['method']} (seeds {s['seeds']}, "
                  f"{len(s['cells'])} cells)", '',
                  '| ' + ' | '.join(['candidate', 'all cells', *tasks,
                                     'diverged runs']) + ' |',
                  '| --- | --- |' + ' --- |' * (len(tasks) + 1)]
        for c in sorted(s['candidates'], key=lambda c: -c['val_top1']):
            name = fmt_params(c['params'])
            if c['params'] == s['params']:
                name = f'**{name}**'
            by_task = c.get('val_top1_by_task', {})
            lines.append('| ' + ' | '.join([
                name, f"{c['val_top1']:.2f}",
                *(fmt(by_task.get(t)) for t in tasks),
                f"{c.get('diverged', 0)}/{c['runs']}"]) + ' |')
        lines.append('')
    return lines


def forgetting_table(summary: dict) -> List[str]:
    """Source top-1 of the methods that keep the source head: at step 0
    (the pre-trained head) and at the end, mean over seeds."""
    rows = [(c, m, r['source_curve_mean'], r['source_curve_runs'])
            for c in summary['cells'] for m, r in c['methods'].items()
            if r.get('source_curve_mean')]
    if not rows:
        return []
    lines = ['## Forgetting: the source head on held-out source images', '',
             'Source top-1 (%) of the methods that keep the pre-trained '
             'source head, mean over the seeds (diverged runs left out); '
             'the curve at every validation is `forgetting.png` (dashed: '
             'with the source\'s BatchNorm statistics). As the model is '
             'evaluated, its BatchNorm running statistics are those '
             'fine-tuning left; "source BN" re-estimates them on the '
             'source images first, so it measures what the weights keep.',
             '', '| cell | method | runs | at step 0 | at the end (step) | '
             'change | source BN: at step 0 | at the end | change |',
             '|' + ' --- |' * 9]
    for c, m, curve, runs in rows:
        (_, first), (step, last) = curve[0], curve[-1]
        bn = c['methods'][m].get('source_bn_curve_mean')
        tail = f' {bn[0][1]:.2f} | {bn[-1][1]:.2f} | ' \
            f'{bn[-1][1] - bn[0][1]:+.2f} |' if bn else ' - | - | - |'
        lines.append(f"| {c['task']} / {c['condition']} | {m} | {runs} | "
                     f'{first:.2f} | {last:.2f} ({step}) | '
                     f'{last - first:+.2f} |' + tail)
    return lines + ['']


def probe_table(summary: dict) -> List[str]:
    """Each method's probe against the pre-trained probe (claim: the
    method keeps general discrimination)."""
    cells = [c for c in summary['cells']
             if c.get('pretrained_probe') is not None]
    if not cells:
        return []
    lines = ['## The probe after fine-tuning against the pre-trained probe',
             '', 'k-NN probe top-1 on the unseen probe classes, method - '
             'pre-trained network, mean over seeds [95% t-interval of the '
             'seeds].', '', '| cell | pre-trained | method | probe - '
             'pre-trained [95% CI] |', '| --- | --- | --- | --- |']
    for c in cells:
        for m, r in c['methods'].items():
            if r.get('probe_minus_pretrained') is None:
                continue
            pre, ci = c['pretrained_probe'], r.get('probe_ci95')
            lines.append(
                f"| {c['task']} / {c['condition']} | {pre:.2f} | {m} | "
                f"{r['probe_minus_pretrained']:+.2f}" +
                (f' [{ci[0] - pre:+.2f}, {ci[1] - pre:+.2f}]' if ci else '')
                + ' |')
    return lines + ['']


def curve_table(summary: dict) -> List[str]:
    """Paired accuracy at every validation point, the area under the
    curve and the wall time, against the baseline (claim: faster
    convergence)."""
    base, lines = summary['baseline'], []
    for c in summary['cells']:
        rows = {m: r for m, r in c['methods'].items()
                if m != base and r.get('curve_diff')}
        if not rows:
            continue
        epochs = [e for e, _ in next(iter(rows.values()))['curve_diff']]
        if not lines:
            lines = ['## Accuracy over training, paired', '',
                     f'Method - {base} on the test split at each '
                     'validation (epoch), mean [95% paired t-interval] '
                     '(seeds won); AUC: the mean top-1 over the validation '
                     f'points, method - {base}; wall: wall time'
                     f' over that of {base}, mean of the seeds.', '']
        lines += [f"### {c['task']} / {c['condition']}", '',
                  '| method | ' + ' | '.join(f'epoch {e}' for e in epochs)
                  + ' | AUC | wall / ' + base + ' |',
                  '| --- |' + ' --- |' * (len(epochs) + 2)]
        for m, r in rows.items():
            cols = [f"{fmt_ci(d)} ({d['wins']}/{d['n']})"
                    for _, d in r['curve_diff']]
            a = r['auc_diff']
            lines.append(f'| {m} | ' + ' | '.join(cols) +
                         f" | {fmt_ci(a)} ({a['wins']}/{a['n']}) | "
                         f"{fmt(r.get('wall_ratio'))} |")
        lines.append('')
    return lines
