"""Plain vs soft fine-tuning on scikit-learn's digits, paired by seed
(``tools/benchmark_transfer.py``).

A small ResNet is pre-trained on the source digit classes (cached), then
for each condition and seed plain and soft fine-tuning train on one
CUB-layout target set with the same seed, schedule and target batches; the
general discrimination of each model is measured on probe classes in
neither task. See the script's docstring for the protocol.
"""
import hashlib
import json
import os
import os.path as osp
import shutil
import statistics

from .digits import load_digit_images, write_digits_source, write_digits_target
from .report import paired_summary, write_plots, write_tables
from .train_job import run_training

__all__ = ['ABLATIONS', 'run_transfer']

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'configs', 'demo')
ABLATIONS = dict(
    shape=('shape', ['linear', 'cosine', 'exp', 'step']),
    decay_end=('decay_end', [0.25, 0.5, 0.75, 1.0]),
    source_batch=('source_batch_size', [4, 16, 32]))


def target_settings(args, condition):
    """Keyword arguments of write_digits_target for a condition."""
    shots = None if args.shots == 'all' else int(args.shots)
    t = args.target_classes
    # strong imbalance: 60 / 12 / 3 ... images for the classes in order
    counts = {c: max(3, 60 // 5**i) for i, c in enumerate(t)}
    return dict(
        fewshot=dict(shots=shots),
        allshot=dict(shots=None),
        imbalanced=dict(shots=None, train_counts=counts),
        noisy=dict(shots=None, label_noise=0.3))[condition]


def epochs_of(args, condition):
    return args.epochs if condition == 'fewshot' else args.epochs_full


def schedule(epochs, seed):
    return {
        'train_cfg.max_epochs': epochs,
        'train_cfg.val_interval': 1,
        'param_scheduler.0.end': epochs,
        'param_scheduler.0.T_max': epochs,
        'randomness.seed': seed,
        'default_hooks.checkpoint.interval': epochs,
        'log_level': 'WARNING',
    }


def pretrain(args, images, labels):
    key = hashlib.sha1(json.dumps(
        [args.source_classes, args.pretrain_epochs]).encode()).hexdigest()[:10]
    ckpt = osp.join(args.cache_dir, f'pretrain_{key}.pth')
    source = osp.join(args.cache_dir, f'source_{key}')
    if not osp.exists(osp.join(source, 'meta', 'train.txt')):
        write_digits_source(source, args.source_classes, images, labels)
    if not osp.exists(ckpt):
        n = len(args.source_classes)
        job = run_training(
            osp.join(CONFIGS, 'digits_pretrain.py'),
            osp.join(args.cache_dir, f'pretrain_{key}_work'), {
                'train_dataloader.dataset.data_root': source,
                'model.head.num_classes': n,
                'data_preprocessor.num_classes': n,
                'train_cfg.max_epochs': args.pretrain_epochs,
                'param_scheduler.0.end': args.pretrain_epochs,
                'param_scheduler.0.T_max': args.pretrain_epochs,
                'default_hooks.checkpoint.interval': args.pretrain_epochs,
                'log_level': 'WARNING',
            }, experiment_name=f'pretrain_{key}')
        shutil.copy(job['checkpoint'], ckpt)
    return ckpt, source


def probe_top1(args, checkpoint, probe_root, name):
    """GeneralDiscriminationMetric of a checkpoint's backbone features."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(CONFIGS, 'softft_digits.py'))
    n_t, n_p = len(args.target_classes), len(args.probe_classes)
    cfg.merge_from_dict({
        'work_dir': osp.join(args.out, 'work', name),
        'experiment_name': name,
        'model.backbone.init_cfg': None,
        'model.source_head.init_cfg': None,
        'model.predict_feat': True,
        'model.head.num_classes': n_t,
        'model.source_head.num_classes': len(args.source_classes),
        'data_preprocessor.num_classes': max(n_t, n_p),
        'test_dataloader.dataset.data_root': probe_root,
        'test_dataloader.dataset.split': 'test',
        'load_from': checkpoint,
        'log_level': 'ERROR',
    })
    cfg.test_evaluator = dict(type='GeneralDiscriminationMetric', k=5)
    metrics = Runner.from_cfg(cfg).test()
    return metrics['general_discrimination/top1']


def run_pair(args, ckpt, source, target, seed, tag, epochs,
             soft_overrides=None, skip_plain=False):
    """Plain and soft fine-tuning on one target set with one seed."""
    n_t = len(args.target_classes)
    common = {
        **schedule(epochs, seed),
        'model.head.num_classes': n_t,
        'data_preprocessor.num_classes': n_t,
        'val_dataloader.dataset.data_root': target,
        'test_dataloader.dataset.data_root': target,
    }
    out = {}
    if not skip_plain:
        out['plain'] = run_training(
            osp.join(CONFIGS, 'finetune_digits.py'),
            osp.join(args.out, 'work', f'{tag}_plain'), {
                **common,
                'train_dataloader.dataset.data_root': target,
                'model.backbone.init_cfg.checkpoint': ckpt,
            }, experiment_name=f'{tag}_plain')
    hook = dict(type='SoftFineTuneHook', start_weight=args.start_weight,
                decay_end=args.decay_end, shape=args.shape)
    soft_opts = {
        **common,
        'model.backbone.init_cfg.checkpoint': ckpt,
        'model.source_head.num_classes': len(args.source_classes),
        'train_dataloader.dataset.target.data_root': target,
        'train_dataloader.dataset.source.data_root': source,
        'train_dataloader.batch_sampler.source_batch_size':
        args.source_batch_size,
    }
    for key, value in (soft_overrides or {}).items():
        if key == 'source_batch_size':
            soft_opts['train_dataloader.batch_sampler.source_batch_size'] = \
                value
        else:
            hook[key] = value
    soft_opts['custom_hooks'] = [hook]
    out['soft'] = run_training(
        osp.join(CONFIGS, 'softft_digits.py'),
        osp.join(args.out, 'work', f'{tag}_soft'), soft_opts,
        experiment_name=f'{tag}_soft')
    return out


def record(job):
    runner = job['runner']
    weights = runner.message_hub.log_scalars.get('train/source_weight')
    return dict(
        top1=job['metrics']['accuracy/top1'],
        curve=job['history']['accuracy/top1'],
        seconds=job['seconds'],
        checkpoint=job['checkpoint'],
        source_weight=[float(w) for w in weights.data[0]]
        if weights is not None else None)


def run_transfer(args) -> dict:
    """Pre-train, run every condition, seed and variant, measure the probe
    and write ``results.json``, ``results.md`` and the plots to
    ``args.out``; print the table.

    Args:
        args (Namespace): ``tools/benchmark_transfer.py``'s parsed
            arguments.

    Returns:
        dict: The results written to ``results.json``.
    """
    os.makedirs(args.out, exist_ok=True)
    images, labels = load_digit_images()
    ckpt, source = pretrain(args, images, labels)
    probe = write_digits_target(
        osp.join(args.out, 'data', 'probe'), args.probe_classes, images,
        labels, shots=0, seed=0, test_fraction=1.0)
    results = dict(settings={
        k: v for k, v in vars(args).items() if k not in ('out', 'cache_dir')
    }, probe=dict(pretrained=probe_top1(args, ckpt, probe, 'probe_pre')))
    conditions = ['fewshot'] if args.ablation else args.conditions
    variants = [('soft', None)]
    if args.ablation:
        key, values = ABLATIONS[args.ablation]
        variants = [(f'soft[{key}={v}]', {key: v}) for v in values]
    runs = {c: {'plain': []} for c in conditions}
    for condition in conditions:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            target = write_digits_target(
                osp.join(args.out, 'data', f'{condition}_s{seed}'),
                args.target_classes, images, labels, seed=seed,
                **target_settings(args, condition))
            for i, (name, overrides) in enumerate(variants):
                tag = f'{condition}_s{seed}_{i}'
                pair = run_pair(args, ckpt, source, target, seed, tag,
                                epochs_of(args, condition), overrides,
                                skip_plain=i > 0)
                if i == 0:
                    runs[condition]['plain'].append(record(pair['plain']))
                runs[condition].setdefault(name, []).append(
                    record(pair['soft']))
    for condition, methods in runs.items():
        for name, recs in methods.items():
            for j, rec in enumerate(recs):
                if j == 0 or condition == 'fewshot':
                    rec['probe_top1'] = probe_top1(
                        args, rec['checkpoint'], probe,
                        f'probe_{condition}_{name}_{j}')
    results['runs'] = runs
    results['summary'] = {
        c: paired_summary(m, epochs_of(args, c))
        for c, m in runs.items()
    }
    fewshot = runs.get('fewshot', {})
    results['probe'].update({
        name: statistics.mean(r['probe_top1'] for r in recs)
        for name, recs in fewshot.items()
    })
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    write_tables(results, osp.join(args.out, 'results.md'))
    write_plots(results, args.out)
    print(open(osp.join(args.out, 'results.md')).read())
    return results
