"""tools/benchmark_methods.py and tools/compare_methods.py.

The quick mode runs the whole pipeline (select, test, noise floor,
report) on stand-in IDX files and a bundled font it writes itself; the
pairing test records what every method saw for one seed;
compare_methods trains the demo configs through tools/train.py.
"""
import json
import os.path as osp
import re

import numpy as np
import pytest
from mmpretrain.models.backbones import ResNet_CIFAR

from benchmarks.demo_data import prepare_demo
from benchmarks.method_benchmark import run_part
from benchmarks.method_report import write_report
from benchmarks.method_runs import load_config, run_method
from benchmarks.method_stats import load_records, summarise
from benchmarks.methods import METHODS, RunSpec, available_methods
from benchmarks.quick_data import write_quick_fashion
from benchmarks.source_models import LazyPools, pretrain_source
from benchmarks.tasks import write_target
from tests.conftest import load_tool, repo_path, run_tool

CONFIGS = repo_path('configs', 'demo')


def test_quick_mode_runs_the_whole_pipeline(tmp_path):
    out = tmp_path / 'quick'
    log = run_tool(repo_path('tools/benchmark_methods.py'), '--quick',
                   '--out', str(out), '--threads', '1')
    assert 'part select' in log and 'part test' in log
    # progress: the pre-training every tenth, each run with the plan's
    # count and time left
    assert 'pre-training the far source model: ' in log
    assert 'pre-training far: 100% (iteration ' in log
    assert 'far: source model trained in ' in log
    methods = set(available_methods(CONFIGS))
    runs = 2 * 2 * len(methods)  # tasks, seeds, methods
    assert re.search(rf'\n\[1/{runs}\] test/far/fewshot5/plain seed 0: top1 '
                     r'[\d.]+ in [\d.]+ s \(\d+ steps\); [\w ]+ elapsed, '
                     r'about [\w ]+ left', log)
    assert re.search(rf'\n\[{runs}/{runs}\] test/glyphs_digits/fewshot5/'
                     r'\w+ seed 1: ', log)
    summary = json.loads((out / 'report' / 'results.json').read_text())
    assert {'plain', 'soft', 'scratch'} <= methods
    assert {(c['task'], c['condition']) for c in summary['cells']} == {
        ('far', 'fewshot5'), ('glyphs_digits', 'fewshot5')}
    for cell in summary['cells']:
        assert set(cell['methods']) == methods
        assert list(cell['methods'])[0] == 'plain'
        # every method of a seed: one head init, one target batch sequence
        assert cell['pairing'] == dict(checked_seeds=2, mismatched=[])
        soft = cell['methods']['soft']
        assert soft['n'] == 2 and soft['diff']['n'] == 2
        assert soft['diff']['ci95'] is not None
        assert 0 <= soft['diff']['sign_p'] <= 1
        assert set(cell['references']) == {'knn1', 'knn5', 'linear_probe',
                                           'scratch'}
        assert isinstance(cell['informative'], bool)
        # the plain rerun on another thread count: the noise floor
        assert set(cell['noise_floor']) == {'2'}
    runs = load_records([str(out)])['run']
    test = [r for r in runs if r['phase'] == 'test' and r['threads'] == 1]
    assert all(r['steps'] >= 8 for r in runs)  # --min-steps of --quick
    assert all(0 <= r['probe_top1'] <= 100 for r in test)
    # hyper-parameters chosen on validation seeds, none of them reported
    selection = {s['method']: s for s in summary['selection']}
    assert set(selection) == {'plain', 'lwf'} & methods
    assert selection['plain']['seeds'] == [100]
    assert {r['seed'] for r in test} == {0, 1}
    chosen = selection['plain']['params']
    assert all(r['params'] == chosen for r in test if r['method'] == 'plain')
    assert len(selection['plain']['candidates']) == 2
    if 'lwf' in selection:  # plain's BatchNorm choice is every method's
        assert selection['lwf']['params']['model.backbone.norm_eval'] == \
            chosen['model.backbone.norm_eval']
        assert len(selection['lwf']['candidates']) == 3
    tasks = {t['task']: t for t in summary['tasks']}
    assert 0 <= tasks['far']['source_top1'] <= 100
    assert len(tasks['far']['probe']['random_init']) == 3
    assert summary['correlation']['runs'] == sum(
        r['method'] != 'scratch' for r in test)
    table = (out / 'report' / 'results.md').read_text()
    assert '### far / fewshot5' in table and 'Noise floor' in table
    for name in ('accuracy_vs_epoch', 'forest', 'probe_vs_target'):
        assert (out / 'report' / f'{name}.png').read_bytes()[:4] == \
            b'\x89PNG'


@pytest.fixture(scope='module')
def quick_cell(tmp_path_factory):
    """A far-task few-shot cell on stand-in Fashion-MNIST files and its
    pre-trained source model (width 4)."""
    root = tmp_path_factory.mktemp('cell')
    pools = LazyPools(write_quick_fashion(str(root / 'fashion')))
    pre = pretrain_source('far', pools, str(root / 'cache'), CONFIGS,
                          width=4, steps=10, max_per_class=20)
    cell = write_target('far', 'fewshot5', 3, pools, str(root / 'data'),
                        val_per_class=5)
    spec = RunSpec(seed=3, epochs=3, val_interval=3, batch_size=4, width=4,
                   target_root=cell['target'], eval_root=cell['val'],
                   source_root=pre['source_root'],
                   checkpoint=pre['checkpoint'], num_target=4,
                   num_source=4)
    return spec, root


def test_methods_see_the_same_head_batches_and_crops(quick_cell):
    """The shipped configs pair by themselves (no benchmark hook but the
    recorder): every classifier builds its extra modules (a source head,
    LwF's teacher, L2-SP's reference) without drawing from the global
    random stream, and SourceTargetDataset prepares source samples on a
    stream of their own, so every method of a seed starts from plain's new
    head and sees plain's target batches and crops."""
    spec, root = quick_cell
    methods = available_methods(CONFIGS)
    assert {'plain', 'soft', 'scratch'} <= set(methods)
    recs = {
        name: run_method(method, spec, {}, str(root / name), CONFIGS,
                         f'pairing_{name}')
        for name, method in methods.items()
    }
    plain = recs['plain']
    assert len(plain['target_batches']) == 15  # 20 images, batch 4, 3 ep.
    assert sorted(sum(plain['target_batches'][:5], [])) == list(range(20))
    for name, rec in recs.items():
        assert rec['target_batches'] == plain['target_batches'], name
        assert rec['target_labels'] == plain['target_labels'], name
        # indices, labels and augmented pixels of every iteration
        assert rec['batch_digests'] == plain['batch_digests'], name
        assert rec['head_init'] == plain['head_init'], name
    assert recs['soft']['source_weight_steps'] > 0  # source images used


def test_a_diverged_run_is_recorded_at_chance_level(quick_cell):
    spec, root = quick_cell
    rec = run_method(METHODS['plain'], spec,
                     {'optim_wrapper.optimizer.lr': 1e12},
                     str(root / 'diverged'), CONFIGS, 'diverged',
                     probe=(np.zeros((4, 32, 32, 3), np.uint8), [0, 0, 1, 1]))
    assert 'is nan at iteration' in rec['diverged'] \
        or 'is inf at iteration' in rec['diverged']
    assert rec['top1'] == 25.0  # 4 target classes
    assert 'probe_top1' not in rec and rec['curve'] == []
    assert len(rec['batch_digests']) < 15  # stopped early


def test_every_grid_starts_with_the_configs_own_value():
    for name, method in available_methods(CONFIGS).items():
        cfg = load_config(osp.join(CONFIGS, method.config))
        for key, values in method.grid.items():
            if key[0].isupper():  # Type.arg of a custom hook
                hook_type, arg = key.split('.', 1)
                own = [h[arg] for h in cfg.custom_hooks
                       if h['type'] == hook_type]
                assert own == [values[0]], (name, key)
            elif key == 'model.backbone.norm_eval':  # ResNet's default
                assert 'norm_eval' not in cfg.model.backbone
                assert ResNet_CIFAR(depth=18).norm_eval is values[0]
            else:
                node = cfg
                for part in key.split('.'):
                    node = node[part]
                assert node == values[0], (name, key)


def test_a_config_outside_the_table_is_compared_as_it_is(tmp_path):
    for file in ('finetune_digits.py', 'digits_pretrain.py',
                 'delta_digits.py'):
        (tmp_path / file).write_text('')
    found = available_methods(str(tmp_path))
    assert set(found) == {'plain', 'scratch', 'delta'}
    assert found['delta'].config == 'delta_digits.py'
    assert found['delta'].grid == {}


def _run(method, seed, top1, threads=2, **extra):
    return dict(kind='run', phase='test', task='far', condition='fewshot5',
                method=method, seed=seed, threads=threads, params={},
                params_id='', top1=top1, curve=[[1, top1 - 5], [2, top1]],
                epoch_seconds=[1.0, 2.0], head_init=f'h{seed}',
                batches_digest=f'b{seed}', probe_top1=50.0 + top1 / 10,
                **extra)


def _write(folder, records):
    for i, rec in enumerate(records):
        path = folder / 'runs' / f'{i}.json'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rec))


def test_parts_merge_into_one_paired_summary(tmp_path):
    # part 1: plain and soft on seeds 0-1; part 2: seed 2 and a plain
    # rerun on 1 thread (the noise floor)
    _write(tmp_path / 'a', [_run('plain', 0, 60), _run('soft', 0, 62),
                            _run('plain', 1, 70), _run('soft', 1, 69)])
    _write(tmp_path / 'b', [_run('plain', 2, 65), _run('soft', 2, 68),
                            _run('plain', 0, 61, threads=1)])
    summary = summarise(load_records([str(tmp_path / 'a'),
                                      str(tmp_path / 'b')]))
    cell, = summary['cells']
    soft = cell['methods']['soft']
    assert soft['diff']['mean'] == pytest.approx((2 - 1 + 3) / 3)
    assert soft['diff']['wins'] == 2 and soft['n'] == 3
    # soft reaches plain's final 60 at epoch 2 of seed 0 (57 at epoch 1)
    assert soft['reached'] == 2  # seed 1 ends below plain's 70
    assert cell['pairing'] == dict(checked_seeds=3, mismatched=[])
    assert cell['noise_floor']['1']['mean'] == 1.0
    assert summary['main_threads'] == 2
    # no references recorded: nothing to beat, and a run written twice
    _write(tmp_path / 'c', [_run('plain', 0, 60)])
    with pytest.raises(ValueError, match='repeats the run'):
        load_records([str(tmp_path / 'a'), str(tmp_path / 'c')])


def test_diverged_runs_are_counted_and_kept_in_the_pairing(tmp_path):
    broken = dict(_run('soft', 1, 25.0), diverged='loss is nan at '
                  'iteration 3', curve=[], batches_digest='prefix')
    _write(tmp_path, [_run('plain', 0, 60), _run('soft', 0, 62),
                      _run('plain', 1, 70), broken])
    summary = summarise(load_records([str(tmp_path)]))
    cell, = summary['cells']
    soft = cell['methods']['soft']
    assert soft['diverged'] == 1 and soft['diff']['mean'] == (2 - 45) / 2
    # the curve mean continues the diverged run at its chance-level score
    assert soft['curve_mean'] == [[1, (57 + 25) / 2], [2, (62 + 25) / 2]]
    # its batches (a prefix) are not compared; its head still is
    assert cell['pairing'] == dict(checked_seeds=2, mismatched=[])
    text = open(write_report(summary, str(tmp_path / 'r'))['markdown']).read()
    assert '**Diverged**' in text and 'soft 1/2 seeds' in text
    assert '| soft | 43.50 (-21.50 [' in text and ', 1/2), 1 diverged |' \
        in text


def test_probe_correlation_leaves_training_from_scratch_out(tmp_path):
    _write(tmp_path, [_run(m, seed, top1) for m, seed, top1 in (
        ('plain', 0, 60), ('soft', 0, 62), ('scratch', 0, 20),
        ('plain', 1, 70), ('soft', 1, 69), ('scratch', 1, 25))])
    corr = summarise(load_records([str(tmp_path)]))['correlation']
    assert corr['runs'] == 4 and corr['left_out'] == ['scratch']
    assert len(corr['points']) == 6  # the plot shows every run


def test_selection_is_reported_per_task(tmp_path):
    frozen, train = {'model.backbone.norm_eval': True}, {
        'model.backbone.norm_eval': False}
    runs = [dict(_run('plain', seed, top1), phase='select', task=task,
                 params=params, params_id=str(params))
            for seed, task, params, top1 in (
                (100, 'far', train, 80), (101, 'far', train, 82),
                (100, 'near', train, 40), (100, 'far', frozen, 70),
                (100, 'near', frozen, 60),
                (7, 'far', frozen, 0))]  # not a selection seed
    _write(tmp_path, runs + [_run('plain', 0, 75)])
    (tmp_path / 'selection.json').write_text(json.dumps(dict(
        kind='selections', methods=[dict(
            kind='selection', method='plain', params=frozen,
            seeds=[100, 101], cells=[['far', 'fewshot5']] * 2,
            candidates=[dict(params=train, val_top1=54.0, runs=3),
                        dict(params=frozen, val_top1=65.0, runs=2)])])))
    summary = summarise(load_records([str(tmp_path)]))
    sel, = summary['selection']
    by_task = [c['val_top1_by_task'] for c in sel['candidates']]
    assert by_task == [dict(far=81.0, near=40.0), dict(far=70.0, near=60.0)]
    text = open(write_report(summary, str(tmp_path / 'r'))['markdown']).read()
    assert '| **norm_eval=True** | 65.00 | 70.00 | 60.00 | 0/2 |' in text
    assert '| norm_eval=False | 54.00 | 81.00 | 40.00 | 0/3 |' in text


def test_reported_seeds_must_not_have_chosen_the_hyper_parameters(
        tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'selection.json').write_text(json.dumps(dict(
        kind='selections', methods=[dict(kind='selection', method='plain',
                                         params={}, seeds=[0, 1],
                                         candidates=[], cells=[])])))
    args = load_tool('benchmark_methods').parse_args(
        ['--out', str(out), '--seeds', '3'])
    with pytest.raises(SystemExit, match=r'seeds \[0, 1\] chose'):
        run_part(args)


@pytest.mark.slow
def test_compare_methods_on_the_demo_configs(tmp_path, monkeypatch):
    """Two seeds of plain and soft fine-tuning through tools/train.py at
    one epoch, on the demo data where the configs read it (relative to
    the working directory)."""
    monkeypatch.chdir(tmp_path)
    prepare_demo(CONFIGS, shots=3, pretrain_epochs=1,
                 pretrain_work_dir=str(tmp_path / 'pretrain_work'))
    args = [
        repo_path('tools/compare_methods.py'), '--out', str(tmp_path / 'c'),
        '--seeds', '2', '--configs',
        f'plain={repo_path("configs/demo/finetune_digits.py")}',
        f'soft={repo_path("configs/demo/softft_digits.py")}',
        '--cfg-options', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.persistent_workers=False'
    ]
    # the demo's evaluator has no top-5: a clear error, no record
    with pytest.raises(AssertionError, match="no 'accuracy/top5' in"):
        run_tool(*args, '--metric', 'accuracy/top5', cwd=str(tmp_path))
    log = run_tool(*args, cwd=str(tmp_path))
    assert '4 runs in' in log
    summary = json.loads(
        (tmp_path / 'c' / 'report' / 'results.json').read_text())
    cell, = summary['cells']
    assert (cell['task'], cell['condition']) == ('user', 'default')
    soft = cell['methods']['soft']
    assert soft['n'] == 2 and soft['diff']['n'] == 2
    # the record hook went into the configs: same head, batches, crops
    assert cell['pairing'] == dict(checked_seeds=2, mismatched=[])
    runs = load_records([str(tmp_path / 'c')])['run']
    assert {(r['method'], r['seed']) for r in runs} == {
        (m, s) for m in ('plain', 'soft') for s in (0, 1)}
    assert all(r['curve'][-1] == [1, r['top1']] for r in runs)
    assert all('randomness.seed=' in ' '.join(r['command']) for r in runs)
    # the records exist: a second call trains nothing
    assert '0 runs in' in run_tool(*args, cwd=str(tmp_path))


def test_published_report_is_its_records_and_the_readme_quotes_it(tmp_path):
    """docs/benchmark/fashion/results.md is what --report makes of the
    published records, and the README and the docs quote its summary."""
    import tarfile
    published = repo_path('docs', 'benchmark', 'fashion')
    with tarfile.open(osp.join(published, 'records.tar.gz')) as tar:
        tar.extractall(tmp_path, filter='data')
    summary = summarise(load_records([str(tmp_path / 'fashion')]))
    made = open(write_report(summary, str(tmp_path / 'r'))['markdown']).read()
    assert made == open(osp.join(published, 'results.md')).read()
    assert summary['main_threads'] == 2 and all(
        c['methods']['plain']['n'] >= 15 for c in summary['cells'])
    header = made.split('## Summary')[1].splitlines()[4]
    for doc in ('README.md', 'docs/en/benchmark_fashion.md'):
        text = open(repo_path(doc)).read().splitlines()
        start = text.index(header)
        table = text[start:text.index('', start)]
        assert len(table) >= 10 and '| soft | ' in '\n'.join(table), doc
        assert all(line in made.splitlines() for line in table), doc


def test_glyph_classes_default_fits_the_fonts(tmp_path):
    # None: glyph_pool takes 400 or, with fewer usable characters, all
    args = load_tool('benchmark_methods').parse_args(['--out', str(tmp_path)])
    assert args.glyph_classes is None
