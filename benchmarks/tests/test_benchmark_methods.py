"""tools/benchmark_methods.py and tools/compare_methods.py.

The quick mode runs the whole pipeline (select, test, noise floor,
report) on stand-in IDX files and a bundled font it writes itself; the
pairing test records what every method saw for one seed;
compare_methods trains the demo configs through tools/train.py.
"""
import json
import os
import os.path as osp
import re

import numpy as np
import pytest
from mmpretrain.models.backbones import ResNet_CIFAR

from benchmarks.baselines import load_cub_split, model_features
from benchmarks.demo_data import prepare_demo
from benchmarks.method_benchmark import run_part
from benchmarks.method_parts import SETTINGS, params_of
from benchmarks.method_report import write_report
from benchmarks.method_runs import (
    build_classifier,
    classify_top1,
    load_config,
    probe_top1,
    run_method,
)
from benchmarks.method_stats import load_records, summarise
from benchmarks.methods import (
    LR_KEY,
    METHODS,
    RUN_KEYS,
    SOURCE_BATCH_KEY,
    VARIANTS,
    RunSpec,
    available_methods,
    method_options,
)
from benchmarks.paired_stats import sign_test, wilcoxon_p
from benchmarks.quick_data import write_quick_fashion
from benchmarks.report import t_interval
from benchmarks.source_models import (
    LazyPools,
    pretrain_source,
    source_test_images,
    width_options,
)
from benchmarks.tasks import write_target
from tests.conftest import load_tool, repo_path, run_tool

CONFIGS = repo_path('configs', 'demo')


@pytest.mark.slow  # about 100 s on 2 cores: CI runs it with -m slow
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
    records = load_records([str(out)])
    runs = records['run']
    test = [r for r in runs if r['phase'] == 'test' and r['threads'] == 1]
    top1 = {(r['task'], r['method'], r['seed']): r['top1'] for r in test}
    rerun = {(r['task'], r['seed']): r['top1'] for r in runs
             if r['phase'] == 'test' and r['threads'] == 2}
    for cell in summary['cells']:
        task = cell['task']
        assert set(cell['methods']) == methods
        assert list(cell['methods'])[0] == 'plain'
        # every method of a seed: one head init, one target batch sequence
        assert cell['pairing'] == dict(checked_seeds=2, mismatched=[])
        # the paired statistics are those of the runs' top-1, seed by seed
        soft = cell['methods']['soft']
        diffs = [top1[task, 'soft', s] - top1[task, 'plain', s]
                 for s in (0, 1)]
        assert soft['n'] == 2 and soft['diff']['n'] == 2
        assert soft['diff']['mean'] == pytest.approx(sum(diffs) / 2)
        assert soft['diff']['ci95'] == pytest.approx(list(t_interval(diffs)))
        assert soft['diff']['sign_p'] == pytest.approx(sign_test(diffs))
        assert soft['diff']['wilcoxon_p'] == pytest.approx(
            wilcoxon_p(diffs))
        assert soft['diff']['too_few_seeds']  # 2 seeds
        cells = [c for c in records['cell'] if c['task'] == task]
        refs = {k: sum(c[k] for c in cells) / 2
                for k in ('knn1', 'knn5', 'linear_probe')}
        refs['scratch'] = (top1[task, 'scratch', 0]
                           + top1[task, 'scratch', 1]) / 2
        assert cell['references'] == pytest.approx(refs)
        plain = cell['methods']['plain']['top1_mean']
        assert cell['informative'] == all(plain > v for v in refs.values())
        # the plain rerun on another thread count: the noise floor
        assert set(cell['noise_floor']) == {'2'}
        assert cell['noise_floor']['2']['mean'] == pytest.approx(sum(
            rerun[task, s] - top1[task, 'plain', s] for s in (0, 1)) / 2)
    assert all(r['steps'] >= 8 for r in runs)  # --min-steps of --quick
    assert all(r['settings']['source_batch_size'] == 4 for r in runs)
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
    assert len(tasks['far']['probe']['random_init']) == 3
    # the far source model's held-out top-1 and probe reference are what
    # its cached checkpoint gives
    pre, = [json.loads(p.read_text()) for p in
            (out / 'cache').glob('far_*/pretrain.json')]
    model = build_classifier(osp.join(CONFIGS, 'digits_pretrain.py'),
                             width_options(4, len(pre['class_names'])),
                             pre['checkpoint'])
    pools = LazyPools(str(out / 'quick_data' / 'fashion'),
                      test_per_class=500)
    held_out = source_test_images('far', pools, pre['class_names'])
    assert tasks['far']['source_top1'] == classify_top1(model, *held_out)
    # (each invocation writes its own data folder, data/p<pid>)
    probe_root, = (out / 'data').glob('p*/far/probe')
    probe = load_cub_split(str(probe_root), 'test')
    assert tasks['far']['probe']['pretrained'] == probe_top1(
        model_features(model)(probe[0]), probe[1])
    # the forgetting curve of the methods that keep the source head:
    # at step 0 the source model's top-1, then at each validation
    for r in test:
        if r['method'] not in ('soft', 'joint', 'lwf', 'cotuning'):
            assert 'source_curve' not in r, r['method']
            continue
        per_epoch = r['steps'] // r['epochs']
        assert [s for s, _ in r['source_curve']] == [0] + [
            e * per_epoch for e, _ in r['curve']]
        assert r['source_curve'][0][1] == tasks[r['task']]['source_top1']
    assert summary['correlation']['runs'] == sum(
        r['method'] != 'scratch' for r in test)
    table = (out / 'report' / 'results.md').read_text()
    assert '### far / fewshot5' in table and 'Noise floor' in table
    assert '## Forgetting' in table
    assert f"Report written to {out / 'report'}: " in log
    for name in ('accuracy_vs_epoch', 'forest', 'probe_vs_target',
                 'forgetting'):
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
    spec = RunSpec(seed=3, epochs=3, val_interval=2, batch_size=4, width=4,
                   target_root=cell['target'], eval_root=cell['val'],
                   source_root=pre['source_root'],
                   checkpoint=pre['checkpoint'], num_target=4,
                   num_source=4, source_batch_size=2)
    return spec, root, pools, pre


def test_methods_see_the_same_head_batches_and_crops(quick_cell):
    """The shipped configs pair by themselves (no benchmark hook but the
    recorder): every classifier builds its extra modules (a source head,
    LwF's teacher, L2-SP's reference) without drawing from the global
    random stream, and SourceTargetDataset prepares source samples on a
    stream of their own, so every method of a seed starts from plain's new
    head and sees plain's target batches and crops. The methods that keep
    the source head record its top-1 on the held-out source images, which
    does not change the pairing: at step 0 it is the pre-trained source
    model's."""
    spec, root, pools, pre = quick_cell
    methods = available_methods(CONFIGS)
    assert {'plain', 'soft', 'scratch'} <= set(methods)
    source_test = source_test_images('far', pools, pre['class_names'])
    assert len(source_test[0]) == pre['source_test_images']
    recs = {
        name: run_method(method, spec, {}, str(root / name), CONFIGS,
                         f'pairing_{name}', source_test=source_test)
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
    # the source batch size (2 per 4 target images) is recorded
    assert recs['soft']['source_batch_size'] == 2
    assert recs['joint']['source_batch_size'] == 2
    assert recs['plain']['source_batch_size'] is None
    # the forgetting curve: step 0 (the pre-trained head) and the
    # validations after epochs 2 and 3 (5 steps each)
    keep = {'soft', 'joint', 'lwf', 'cotuning'}
    assert keep <= set(methods)
    for name, rec in recs.items():
        if name not in keep:
            assert 'source_curve' not in rec, name
            continue
        steps, top1 = zip(*rec['source_curve'])
        assert steps == (0, 10, 15), name
        assert top1[0] == pre['source_top1'], name
    assert 0 < pre['source_top1'] < 100


def test_a_diverged_run_is_recorded_at_chance_level(quick_cell):
    spec, root, _, _ = quick_cell
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
    defaults = load_tool('benchmark_methods').parse_args(['--out', 'x'])
    for name, method in available_methods(CONFIGS).items():
        cfg = load_config(osp.join(CONFIGS, method.config))
        for key, values in method.grid.items():
            if key in RUN_KEYS:  # set from the run: the tool's default
                assert values[0] == RUN_KEYS[key], (name, key)
                assert key == SOURCE_BATCH_KEY
                assert defaults.source_batch_size == values[0]
            elif key[0].isupper():  # Type.arg of a custom hook
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


def test_the_source_batch_size_is_its_own_setting():
    """--source-batch-size (default: --batch-size) sets the source images
    per step of the methods that train on them, a grid value overrides
    it, and a method without source images has none."""
    tool = load_tool('benchmark_methods')
    args = tool.parse_args(['--out', 'x', '--batch-size', '6'])
    assert (args.batch_size, args.source_batch_size) == (6, 6)
    args = tool.parse_args(['--out', 'x', '--source-batch-size', '3'])
    assert (args.batch_size, args.source_batch_size) == (8, 3)
    with pytest.raises(SystemExit):
        tool.parse_args(['--out', 'x', '--source-batch-size', '0'])
    spec = RunSpec(seed=0, epochs=2, val_interval=1, batch_size=8, width=4,
                   target_root='t', eval_root='e', source_root='s',
                   checkpoint='c', num_target=4, num_source=4,
                   source_batch_size=3)
    for name, source in (('soft', 3), ('joint', 3), ('plain', None)):
        method = METHODS[name]
        cfg = load_config(osp.join(CONFIGS, method.config))
        opts = method_options(method, cfg, {}, spec)
        assert opts['train_dataloader.batch_size'] == 8
        assert opts.get(SOURCE_BATCH_KEY) == source, name
    soft = METHODS['soft']
    cfg = load_config(osp.join(CONFIGS, soft.config))
    assert method_options(soft, cfg, {SOURCE_BATCH_KEY: 16}, spec)[
        SOURCE_BATCH_KEY] == 16
    assert method_options(soft, cfg, {}, spec._replace(
        source_batch_size=None))[SOURCE_BATCH_KEY] == 8


def test_cotuning_has_a_grid_on_its_lambda():
    found = available_methods(CONFIGS)
    assert found['cotuning'] is METHODS['cotuning']
    assert found['cotuning'].grid == {
        'model.loss.loss_weight': (2.3, 1.0, 5.0)}
    cfg = load_config(osp.join(CONFIGS, 'cotuning_digits.py'))
    assert cfg.model.loss.type == 'CoTuningLoss'


def test_a_config_outside_the_table_is_compared_as_it_is(tmp_path):
    for file in ('finetune_digits.py', 'digits_pretrain.py',
                 'delta_digits.py'):
        (tmp_path / file).write_text('')
    found = available_methods(str(tmp_path))
    assert set(found) == {'plain', 'scratch', 'delta'}
    assert found['delta'].config == 'delta_digits.py'
    assert found['delta'].grid == {}


def test_grid_option_replaces_a_methods_grid():
    """--grid METHOD:KEY=V1,V2 (repeatable) is the method's whole grid for
    --select; bad forms, unknown methods and non-literals are refused
    naming the option."""
    tool = load_tool('benchmark_methods')
    args = tool.parse_args([
        '--out', 'x', '--methods', 'plain,soft',
        '--grid', f'plain:{LR_KEY}=0.02,0.01',
        '--grid', 'soft:SoftFineTuneHook.start_weight=1.0,0.3',
        '--grid', f'soft:{LR_KEY}=0.02, 5e-3'])
    assert args.method_table['plain'].grid == {LR_KEY: (0.02, 0.01)}
    assert args.method_table['soft'].grid == {
        'SoftFineTuneHook.start_weight': (1.0, 0.3), LR_KEY: (0.02, 0.005)}
    assert args.method_table['soft'].config == METHODS['soft'].config
    assert METHODS['plain'].grid == {'model.backbone.norm_eval':
                                     (False, True)}  # the table unchanged
    for bad, says in ((f'plain{LR_KEY}=0.1', 'expected METHOD:KEY'),
                      (f'lwf:{LR_KEY}=0.1', "method 'lwf' is not compared"),
                      (f'plain:{LR_KEY}=fast', "'fast' is not a Python")):
        with pytest.raises(SystemExit):
            tool.parse_args(['--out', 'x', '--methods', 'plain', '--grid',
                             bad])
        with pytest.raises(ValueError, match=says):
            tool.parse_grid(bad, {'plain': METHODS['plain']})


def test_forgetting_curve_images_per_class_is_a_setting():
    """--forgetting-per-class caps the held-out source images of the
    forgetting curve (recorded with each run's settings)."""
    tool = load_tool('benchmark_methods')
    assert tool.parse_args(['--out', 'x']).forgetting_per_class == 200
    assert tool.parse_args(['--out', 'x', '--forgetting-per-class', '1']
                           ).forgetting_per_class == 1
    with pytest.raises(SystemExit):
        tool.parse_args(['--out', 'x', '--forgetting-per-class', '0'])
    assert 'forgetting_per_class' in SETTINGS


def test_variants_run_when_named_with_plains_learning_rate():
    """soft_paper / soft_separate are compared only when --methods names
    them; like every pre-trained method without its own choice they take
    plain's selected learning rate and BatchNorm handling, under their
    fixed settings; a method's own choice wins."""
    tool = load_tool('benchmark_methods')
    assert not set(VARIANTS) & set(tool.parse_args(['--out', 'x']).methods)
    args = tool.parse_args(['--out', 'x', '--methods',
                            'plain,soft,soft_paper,soft_separate'])
    table = args.method_table
    selection = dict(plain=dict(params={LR_KEY: 0.01,
                                        'model.backbone.norm_eval': True}),
                     soft=dict(params={LR_KEY: 0.05}))
    assert params_of('soft_paper', table['soft_paper'], selection) == {
        LR_KEY: 0.01, 'model.backbone.norm_eval': True}
    assert params_of('soft_separate', table['soft_separate'], selection) \
        == {LR_KEY: 0.01, 'model.backbone.norm_eval': True,
            'model.source_forward': 'separate'}
    assert params_of('soft', table['soft'], selection)[LR_KEY] == 0.05
    assert params_of('scratch', METHODS['scratch'], selection) == {}
    spec = RunSpec(seed=0, epochs=2, val_interval=1, batch_size=8, width=4,
                   target_root='t', eval_root='e', source_root='s',
                   checkpoint='c', num_target=4, num_source=4)
    cfg = load_config(osp.join(CONFIGS, table['soft_separate'].config))
    opts = method_options(table['soft_separate'], cfg, params_of(
        'soft_separate', table['soft_separate'], selection), spec)
    assert opts['model.source_forward'] == 'separate'
    assert opts[LR_KEY] == 0.01
    assert [h['start_weight'] for h in opts['custom_hooks']] == [1.0]


def test_selection_of_parallel_parts_keeps_every_method(tmp_path,
                                                       monkeypatch):
    """Two --select parts into one folder (plain in one shell, soft in
    another): each writes its method into selection.json without
    dropping the one the other wrote meanwhile."""
    from benchmarks import method_benchmark
    out = tmp_path / 'out'
    out.mkdir()
    other = dict(kind='selection', method='plain', params={LR_KEY: 0.01},
                 seeds=[100], candidates=[], cells=[])

    class FakePart:
        def __init__(self, args, total):
            self.selection = {}

        def cells(self, probe=True):
            # the other part finishes while this one runs
            (out / 'selection.json').write_text(json.dumps(dict(
                kind='selections', methods=[other])))
            yield 'far', 'fewshot5', 100, {}, None, dict(val='v')

        def run(self, phase, task, condition, seed, name, params, spec,
                probe):
            return dict(top1=params['SoftFineTuneHook.start_weight'] * 10)

    monkeypatch.setattr(method_benchmark, 'Part', FakePart)
    monkeypatch.setattr(method_benchmark, 'run_spec', lambda *a: None)
    args = load_tool('benchmark_methods').parse_args([
        '--out', str(out), '--select', '--methods', 'soft', '--seeds', '1',
        '--first-seed', '100', '--grid',
        'soft:SoftFineTuneHook.start_weight=1.0,3.0'])
    method_benchmark.select_part(args)
    saved = {s['method']: s for s in json.loads(
        (out / 'selection.json').read_text())['methods']}
    assert saved['plain'] == other
    assert saved['soft']['params'] == {'SoftFineTuneHook.start_weight': 3.0}


def test_report_writes_beside_its_records_unless_told():
    """--report never overwrites the published report by default: it
    writes to <first DIR>/report, or where --report-out says."""
    tool = load_tool('benchmark_methods')
    args = tool.parse_args(['--report', 'a/fashion', 'b'])
    assert args.report_out == osp.join('a/fashion', 'report')
    args = tool.parse_args(['--report', 'a', '--report-out', 'docs/x'])
    assert args.report_out == 'docs/x'
    assert tool.parse_args(['--quick', '--out', 'q']).report_out == \
        osp.join('q', 'report')


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
    report = tmp_path / 'c' / 'report'
    assert f'Report written to {report}: results.md, results.json, ' \
        'accuracy_vs_epoch.png, forest.png' in log
    assert 'Threads: not pinned' in log
    assert not (report / 'probe_vs_target.png').exists()  # no probe
    # the failed call above left no empty record folder
    assert all(os.listdir(folder) for folder, _, _ in
               os.walk(tmp_path / 'c' / 'runs'))
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
