"""The premise go/no-go table of :mod:`.premise`'s records.

Conditions (``PAPER.md``, "The premise a test bed must show"):

- (a) the pre-trained network's probe is at least ``margin_a`` points
  above raw pixels and above the best randomly initialised network;
- (b) per regime (learning rate): plain fine-tuning's probe, mean over
  the seeds, is at least ``margin_b`` points below the pre-trained one;

A regime is GO when (a) and its (b) hold. Beside the verdict:

- (c) per regime: whether plain fine-tuning is informative, its target
  top-1 (mean) above the target's references that are not fine-tuning
  (raw-pixel 1-NN and 5-NN, the linear probe on frozen pre-trained
  features). A learning rate that wrecks the network erodes the probe
  too; and where fine-tuning loses to the frozen features a method can
  only be shown to do less harm, not to transfer better (``PAPER.md``:
  a cell where plain fine-tuning does not beat these cannot show a
  transfer effect). Beside them: each method's
target top-1, probe and source top-1 (the forgetting), soft minus plain
seed by seed, the target's raw-pixel k-NN and linear probe, and whether
every method of a seed trained on the same batches.
"""
import statistics
from typing import Dict, List, Sequence

from .method_report import write_summary

__all__ = ['summarise_premise', 'write_premise_table']


def _mean(values: Sequence[float]) -> float:
    return statistics.mean(values) if values else float('nan')


def _stats(values: List[float]) -> dict:
    return dict(mean=_mean(values), values=values,
                sd=statistics.stdev(values) if len(values) > 1 else 0.0)


def summarise_premise(records: Dict[str, list], margin_a: float = 5.0,
                      margin_b: float = 3.0) -> dict:
    """The verdicts and numbers of one task's premise check.

    Args:
        records (dict): ``task`` (one record), ``cell`` and ``run``
            (lists), as :func:`run_premise` returns them.
        margin_a (float): Points (a) needs. Defaults to 5.0.
        margin_b (float): Points (b) needs. Defaults to 3.0.

    Returns:
        dict: The table's content (JSON-serialisable).
    """
    task = records['task']
    probe = task['probe']
    pre = probe['pretrained']
    best_random = max(probe['random_init'])
    a = dict(pretrained=pre, raw_pixel=probe['raw_pixel'],
             random_init=probe['random_init'], best_random_init=best_random,
             over_raw=pre - probe['raw_pixel'],
             over_random=pre - best_random, margin=margin_a)
    a['pass'] = a['over_raw'] >= margin_a and a['over_random'] >= margin_a
    cells = sorted(records['cell'], key=lambda c: c['seed'])
    refs = {k: _stats([c[k] for c in cells])
            for k in ('knn1', 'knn5', 'linear_probe')}
    regimes = []
    for lr in sorted({r['lr'] for r in records['run']}):
        runs = [r for r in records['run'] if r['lr'] == lr]
        methods = {}
        for name in sorted({r['method'] for r in runs},
                           key=lambda n: n != 'plain'):
            own = sorted((r for r in runs if r['method'] == name),
                         key=lambda r: r['seed'])
            ok = [r for r in own if not r['diverged']]
            methods[name] = dict(
                seeds=[r['seed'] for r in own],
                per_seed=[dict(seed=r['seed'], top1=r['top1'],
                               probe=r.get('probe_top1'),
                               source_top1=r.get('source_top1'),
                               diverged=r['diverged']) for r in own],
                diverged=len(own) - len(ok),
                top1=_stats([r['top1'] for r in own]),
                probe=_stats([r['probe_top1'] for r in ok]),
                source_top1=_stats([r['source_top1'] for r in ok]),
                wall_seconds=_stats([r['wall_seconds'] for r in own]),
                steps=own[0]['steps'] if own else None)
        regime = dict(lr=lr, methods=methods)
        if 'plain' in methods:
            drop = pre - methods['plain']['probe']['mean']
            regime['b'] = dict(probe_drop=drop, margin=margin_b,
                               **{'pass': drop >= margin_b})
            best = max(refs, key=lambda k: refs[k]['mean'])
            over = methods['plain']['top1']['mean'] - refs[best]['mean']
            regime['c'] = dict(best_reference=best,
                               over_reference=over, **{'pass': over > 0})
            regime['verdict'] = 'GO' if a['pass'] and regime['b'][
                'pass'] else 'NO-GO'
            plain = {r['seed']: r for r in runs if r['method'] == 'plain'}
            for name in methods:
                if name == 'plain':
                    continue
                pairs = [(r, plain[r['seed']]) for r in runs
                         if r['method'] == name and r['seed'] in plain]
                diff = [r['top1'] - p['top1'] for r, p in pairs]
                methods[name]['minus_plain'] = dict(
                    top1=_stats(diff),
                    wins=sum(d > 0 for d in diff),
                    probe=_stats([r['probe_top1'] - p['probe_top1']
                                  for r, p in pairs if 'probe_top1' in r
                                  and 'probe_top1' in p]))
        digests = {}
        for r in runs:
            digests.setdefault(r['seed'], set()).add(r['batches_digest'])
        regime['paired_seeds'] = sum(len(d) == 1 for d in digests.values())
        regime['seeds'] = len(digests)
        regimes.append(regime)
    return dict(task=task['task'], condition=task['condition'],
                machine=task['machine'], settings=task['settings'],
                cjk=task.get('cjk'),
                source=dict(classes=task['source_classes'],
                            top1=task['source_top1'],
                            pretrain_steps=task['pretrain_steps'],
                            pretrain_seconds=task['pretrain_seconds']),
                probe=dict(images=task['probe_images'],
                           classes=task['probe_classes']),
                a=a, target_references=refs,
                target_classes=cells[0]['target_classes'] if cells else None,
                shots=cells[0]['train_counts'][0] if cells else None,
                seeds=[c['seed'] for c in cells], regimes=regimes,
                draw_seconds=task['draw_seconds'],
                invocation_seconds=task.get('wall_seconds'))


def _f(x: float) -> str:
    return f'{x:.2f}'


def _signed(x: float) -> str:
    # a mean that rounds to 0 is shown as +0.00, not -0.00
    return f'{round(x, 2) + 0.0:+.2f}'


def _pm(s: dict) -> str:
    return f'{s["mean"]:.2f} ± {s["sd"]:.2f}'


def _markdown(s: dict) -> str:
    a = s['a']
    refs = s['target_references']
    lines = [
        f'# Premise check: `{s["task"]}` / `{s["condition"]}`', '',
        f'Source: {s["source"]["classes"]} classes, '
        f'{s["source"]["pretrain_steps"]} pre-training steps, held-out '
        f'source top-1 {_f(s["source"]["top1"])}. Target: '
        f'{s["target_classes"]} classes, {s["shots"]} shots each'
        + (f' (drawn at {s["cjk"]["target_size"]} px, resized to 32)'
           if (s.get('cjk') or {}).get('target_size') else '')
        + '. Probe: '
        f'{s["probe"]["images"]} images of {s["probe"]["classes"]} classes '
        'in neither (leave-one-out 5-NN top-1). Seeds '
        f'{", ".join(map(str, s["seeds"]))} (paired); '
        f'{s["machine"]["cpu"]}, {s["machine"]["threads"]} threads.', '',
        '## (a) general discrimination of the pre-trained features', '',
        '| features | probe top-1 |', '| --- | --- |',
        f'| raw pixels | {_f(a["raw_pixel"])} |',
        f'| random init ({len(a["random_init"])} networks) | '
        + ', '.join(map(_f, a['random_init'])) + ' |',
        f'| pre-trained | {_f(a["pretrained"])} |', '',
        f'(a) {"PASS" if a["pass"] else "FAIL"}: pre-trained minus raw '
        f'pixels {a["over_raw"]:+.2f}, minus the best random init '
        f'{a["over_random"]:+.2f} (needs >= {a["margin"]:g} over both).', '',
        '## Target references (mean ± sd over the seeds)', '',
        '| raw-pixel 1-NN | raw-pixel 5-NN | linear probe (frozen '
        'pre-trained) |', '| --- | --- | --- |',
        f'| {_pm(refs["knn1"])} | {_pm(refs["knn5"])} | '
        f'{_pm(refs["linear_probe"])} |', '',
        '## (b) and the first look at soft fine-tuning, per regime', '',
        'Mean ± sd over the seeds. Probe after fine-tuning (pre-trained: '
        f'{_f(a["pretrained"])}); source top-1 on held-out source images '
        f'(before fine-tuning: {_f(s["source"]["top1"])}; plain: the '
        'pre-trained source head on the fine-tuned backbone; soft: its '
        'trained source head).', '',
        '| lr | method | target top-1 | probe | source top-1 | minus plain:'
        ' target top-1 (seeds won) | minus plain: probe | (b) probe drop of'
        ' plain | verdict: (a) and (b) | (c) plain minus the best '
        'reference |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for r in s['regimes']:
        for name, m in r['methods'].items():
            diff = m.get('minus_plain')
            lines.append(
                f'| {r["lr"]:g} | {name} | {_pm(m["top1"])} | '
                f'{_pm(m["probe"])} | {_pm(m["source_top1"])} | '
                + (f'{_signed(diff["top1"]["mean"])} ({diff["wins"]}/'
                   f'{len(diff["top1"]["values"])}) | '
                   f'{_signed(diff["probe"]["mean"])} | ' if diff else
                   '| | ')
                + (f'{r["b"]["probe_drop"]:+.2f} '
                   f'({"PASS" if r["b"]["pass"] else "FAIL"}, needs >= '
                   f'{r["b"]["margin"]:g}) | **{r["verdict"]}** | '
                   f'{r["c"]["over_reference"]:+.2f} vs '
                   f'{r["c"]["best_reference"]} '
                   f'({"PASS" if r["c"]["pass"] else "FAIL"}) |'
                   if name == 'plain' and 'b' in r else '| | |'))
    lines += ['', 'Pairing: ' + '; '.join(
        f'lr {r["lr"]:g}: {r["paired_seeds"]}/{r["seeds"]} seeds with one '
        'target batch sequence for every method' for r in s['regimes'])]
    lines += ['', 'Per seed (target top-1 / probe / source top-1):', '']
    for r in s['regimes']:
        for name, m in r['methods'].items():
            lines.append(f'- lr {r["lr"]:g} {name}: ' + ', '.join(
                f's{x["seed"]} ' + ('diverged' if x['diverged'] else
                                    f'{x["top1"]:.2f} / {x["probe"]:.2f} / '
                                    f'{x["source_top1"]:.2f}')
                for x in m['per_seed']))
    return '\n'.join(lines) + '\n'


def write_premise_table(summary: dict, out_dir: str) -> dict:
    """Write ``premise.json`` and ``premise.md`` into ``out_dir``.

    Returns:
        dict: ``json`` and ``markdown`` paths.
    """
    return write_summary(summary, _markdown(summary), out_dir, 'premise')
