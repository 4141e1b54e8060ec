"""tools/dist_train.sh with 2 CPU processes (torchrun, gloo) on the demo's
soft fine-tuning config, across the point where the source weight is 0."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
from collections import defaultdict

import pytest

from ..conftest import repo_path


def launch(work, options, hooks, extra='', timeout=600):
    """tools/dist_train.sh with 2 CPU processes on the demo's soft config
    (plus the config lines ``extra``); each rank's records
    (tests/dist_recorder.py) and the log."""
    config = osp.join(work, 'softft_digits_dist.py')
    with open(config, 'w') as f:
        f.write(f"_base_ = ['{repo_path('configs/demo/softft_digits.py')}']\n"
                "custom_imports = dict(imports=['mmsoftft', "
                "'tests.dist_recorder'])\n"
                f'custom_hooks = {hooks!r}\n' + extra)
    args = [f'{k}={v}' for k, v in options.items()]
    # PORT=0: torchrun binds free ports itself (a port picked here could be
    # taken by another process before torchrun binds it)
    env = dict(os.environ, PORT='0', OMP_NUM_THREADS='1',
               PYTHONWARNINGS='ignore', PYTHONPATH=repo_path())
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    proc = subprocess.run(
        ['bash', repo_path('tools/dist_train.sh'),
         config, '2', '--work-dir', work,
         '--cfg-options', *args],
        cwd=repo_path(), env=env, capture_output=True, text=True,
        timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    ranks = [
        json.load(open(osp.join(work, f'samples_rank{r}.json')))
        for r in range(2)
    ]
    return dict(work=work, ranks=ranks, log=proc.stdout + proc.stderr)


def data_options(tiny_data, pretrained_ckpt, max_epochs):
    return {
        'model.backbone.init_cfg.checkpoint': pretrained_ckpt,
        'model.source_head.num_classes': 3,
        'model.head.num_classes': 3,
        'data_preprocessor.num_classes': 3,
        'train_dataloader.batch_size': 4,
        'train_dataloader.batch_sampler.source_batch_size': 2,
        'train_dataloader.dataset.source.data_root': tiny_data['source'],
        'train_dataloader.dataset.target.data_root': tiny_data['target'],
        'val_dataloader.dataset.data_root': tiny_data['target'],
        'train_cfg.max_epochs': max_epochs,
        'train_cfg.val_interval': max_epochs // 2,
        'param_scheduler.0.end': max_epochs,
        'param_scheduler.0.T_max': max_epochs,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': 2,
    }


@pytest.fixture(scope='module')
def dist_run(tiny_data, pretrained_ckpt, tmp_path_factory):
    return launch(
        str(tmp_path_factory.mktemp('dist')),
        data_options(tiny_data, pretrained_ckpt, 4),
        [dict(type='SoftFineTuneHook', decay_end=0.5),
         dict(type='DistSampleRecorder')])


@pytest.fixture(scope='module')
def separate_run(tiny_data, pretrained_ckpt, tmp_path_factory):
    """The separate source pass on 16 px source images beside the 32 px
    target images; rank 1 stops drawing source images one iteration before
    rank 0; DDP's all-reduces counted on each rank."""
    work = str(tmp_path_factory.mktemp('dist_separate'))
    extra = ("model = dict(source_forward='separate')\n"
             'train_dataloader = dict(dataset=dict(source=dict(pipeline=['
             "dict(type='CheckedLoadImageFromFile'), "
             "dict(type='Resize', scale=16), dict(type='PackInputs')])))\n")
    run = launch(work, data_options(tiny_data, pretrained_ckpt, 4), [
        dict(type='SoftFineTuneHook', decay_end=0.5),
        dict(type='UnevenSourceStop', rank=1, earlier=1),
        dict(type='DistSampleRecorder'),
        dict(type='DistAllreduceCounter')], extra,
        timeout=300)  # a rank left waiting in an all-reduce hangs: fail
    run['allreduce'] = [
        json.load(open(osp.join(work, f'allreduce_rank{r}.json')))
        for r in range(2)
    ]
    return run


def test_both_ranks_finish_and_one_checkpoint_set(dist_run):
    for rank in dist_run['ranks']:
        assert len(rank['iters']) == 4 * 2  # 6 target images/rank, batch 4
    # rank 0 alone writes checkpoints (the demo config keeps the last one)
    assert sorted(osp.basename(p) for p in glob.glob(
        osp.join(dist_run['work'], '*.pth'))) == ['epoch_4.pth']
    assert len(glob.glob(osp.join(dist_run['work'], '*', '*.log'))) == 1


def test_ranks_split_target_and_source(dist_run):
    ranks = dist_run['ranks']
    for epoch in range(4):
        seen = defaultdict(list)
        for r, rank in enumerate(ranks):
            for it in rank['iters']:
                if it['epoch'] == epoch:
                    for domain, path in it['samples']:
                        seen[(domain, r)].append(path)
        t0, t1 = seen[('target', 0)], seen[('target', 1)]
        # each target image exactly once per epoch, split between ranks
        assert not set(t0) & set(t1)
        assert len(t0) + len(t1) == 12 and len(set(t0 + t1)) == 12
        s0, s1 = seen[('source', 0)], seen[('source', 1)]
        assert not set(s0) & set(s1)


def test_training_passes_zero_weight_under_ddp(dist_run):
    for rank in dist_run['ranks']:
        weights = [it['weight'] for it in rank['iters']]
        assert weights[0] == 1.0 and weights[-1] == 0.0
        for it in rank['iters']:
            n_source = sum(d == 'source' for d, _ in it['samples'])
            assert n_source == (2 if it['weight'] > 0 else 0)
    assert 'find_unused_parameters' not in dist_run['log']


def test_validation_metrics_equal_on_both_ranks(dist_run):
    m0, m1 = (r['metrics'] for r in dist_run['ranks'])
    assert len(m0) == 2 and m0 == m1
    assert 'accuracy/top1' in m0[-1]


def test_separate_pass_under_ddp(separate_run):
    """Two backbone passes on a rank with source images, one on a rank
    without: no unused parameter, the same all-reduces on both ranks in
    every iteration (one backward each), the same weights after training;
    through the iterations after w = 0 too."""
    ranks = separate_run['ranks']
    weights = [it['weight'] for it in ranks[0]['iters']]
    stop = weights.index(0.0)
    assert 2 <= stop < len(weights) - 1  # iterations after w = 0 ran
    for r, rank in enumerate(ranks):
        assert [it['weight'] for it in rank['iters']] == weights
        for t, it in enumerate(rank['iters']):
            # rank 1 draws no source image from one iteration earlier
            has_source = t < stop - r
            n_source = sum(d == 'source' for d, _ in it['samples'])
            n_target = len(it['samples']) - n_source  # 4, then 2
            assert n_source == (2 if has_source else 0), (r, t)
            # the source images in their own 16 px tensor, never padded
            assert it['shapes'] == (
                dict(target=[n_target, 3, 32, 32], source=[2, 3, 16, 16])
                if has_source else [n_target, 3, 32, 32]), (r, t)
    counts = [a['counts'] for a in separate_run['allreduce']]
    assert counts[0] == counts[1]
    assert len(counts[0]) == len(weights) and min(counts[0]) > 0
    # after DDP's first-iteration bucket rebuild, one set of buckets per step
    # whether the step had one backbone pass or two
    assert len(set(counts[0][1:])) == 1
    p0, p1 = (a['params'] for a in separate_run['allreduce'])
    assert p0.keys() == p1.keys()
    for name in p0:
        assert p0[name] == pytest.approx(p1[name], rel=1e-6, abs=1e-6), name
    assert 'find_unused_parameters' not in separate_run['log']
    m0, m1 = (r['metrics'] for r in ranks)
    assert len(m0) == 2 and m0 == m1


@pytest.mark.parametrize('script', ['dist_train.sh', 'dist_test.sh'])
def test_port_zero_is_for_one_node(script, tmp_path):
    args = ['cfg.py', '2'] if script == 'dist_train.sh' else [
        'cfg.py', 'ckpt.pth', '2']
    proc = subprocess.run(
        ['bash', repo_path('tools', script), *args],
        env=dict(os.environ, PORT='0', NNODES='2'), capture_output=True,
        text=True, timeout=60, cwd=str(tmp_path))
    assert proc.returncode == 2
    assert 'PORT=0 needs NNODES=1 (got NNODES=2): set a PORT' in proc.stderr
