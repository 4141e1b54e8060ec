"""Hand-made run records of a method comparison, written where
``method_stats.load_records`` reads them."""
import json


def run_record(method, seed, top1, threads=2, **extra):
    """A test run of ``far/fewshot5``: a two-point curve ending at
    ``top1``, one head and one batch sequence per seed, a probe score
    derived from ``top1``; ``extra`` adds or replaces keys."""
    rec = dict(kind='run', phase='test', task='far', condition='fewshot5',
               method=method, seed=seed, threads=threads, params={},
               params_id='', top1=top1, curve=[[1, top1 - 5], [2, top1]],
               epoch_seconds=[1.0, 2.0], head_init=f'h{seed}',
               batches_digest=f'b{seed}', probe_top1=50.0 + top1 / 10)
    rec.update(extra)
    return rec


def write_records(folder, records):
    """Write ``records`` as ``folder/runs/<i>.json``."""
    for i, rec in enumerate(records):
        path = folder / 'runs' / f'{i}.json'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rec))
