"""method_stats.summarise and method_report.write_report on hand-made
run records: the paired differences, Holm's correction, the pairing
check, the probe correlations, the selection table."""
import json

import pytest

from benchmarks.method_report import write_report
from benchmarks.method_stats import load_records, summarise
from benchmarks.tests.records import run_record, write_records


def summary_of(folder, records):
    write_records(folder, records)
    return summarise(load_records([str(folder)]))


def report_text(summary, folder):
    return open(write_report(summary, str(folder))['markdown']).read()


def test_parts_merge_into_one_paired_summary(tmp_path):
    # part 1: plain and soft on seeds 0-1; part 2: seed 2 and a plain
    # rerun on 1 thread (the noise floor)
    write_records(tmp_path / 'a', [
        run_record('plain', 0, 60), run_record('soft', 0, 62),
        run_record('plain', 1, 70), run_record('soft', 1, 69)])
    write_records(tmp_path / 'b', [
        run_record('plain', 2, 65), run_record('soft', 2, 68),
        run_record('plain', 0, 61, threads=1)])
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
    write_records(tmp_path / 'c', [run_record('plain', 0, 60)])
    with pytest.raises(ValueError, match='repeats the run'):
        load_records([str(tmp_path / 'a'), str(tmp_path / 'c')])


def test_diverged_runs_are_counted_and_kept_in_the_pairing(tmp_path):
    broken = run_record('soft', 1, 25.0, diverged='loss is nan at '
                        'iteration 3', curve=[], batches_digest='prefix')
    summary = summary_of(tmp_path, [
        run_record('plain', 0, 60), run_record('soft', 0, 62),
        run_record('plain', 1, 70), broken])
    cell, = summary['cells']
    soft = cell['methods']['soft']
    assert soft['diverged'] == 1 and soft['diff']['mean'] == (2 - 45) / 2
    # the curve mean continues the diverged run at its chance-level score
    assert soft['curve_mean'] == [[1, (57 + 25) / 2], [2, (62 + 25) / 2]]
    # its batches (a prefix) are not compared; its head still is
    assert cell['pairing'] == dict(checked_seeds=2, mismatched=[])
    text = report_text(summary, tmp_path / 'r')
    assert '**Diverged**' in text and 'soft 1/2 seeds' in text
    assert '| soft | 43.50 (-21.50 [' in text
    assert ', 1/2, Holm p 1.000), 1 diverged |' in text


def test_probe_correlation_leaves_training_from_scratch_out(tmp_path):
    corr = summary_of(tmp_path, [
        run_record(m, seed, top1) for m, seed, top1 in (
            ('plain', 0, 60), ('soft', 0, 62), ('scratch', 0, 20),
            ('plain', 1, 70), ('soft', 1, 69), ('scratch', 1, 25))
    ])['correlation']
    assert corr['runs'] == 4 and corr['left_out'] == ['scratch']
    assert len(corr['points']) == 6  # the plot shows every run


def test_selection_is_reported_per_task(tmp_path):
    frozen, train = {'model.backbone.norm_eval': True}, {
        'model.backbone.norm_eval': False}
    runs = [run_record('plain', seed, top1, phase='select', task=task,
                       params=params, params_id=str(params))
            for seed, task, params, top1 in (
                (100, 'far', train, 80), (101, 'far', train, 82),
                (100, 'near', train, 40), (100, 'far', frozen, 70),
                (100, 'near', frozen, 60),
                (7, 'far', frozen, 0))]  # not a selection seed
    write_records(tmp_path, runs + [run_record('plain', 0, 75)])
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
    text = report_text(summary, tmp_path / 'r')
    assert '| **norm_eval=True** | 65.00 | 70.00 | 60.00 | 0/2 |' in text
    assert '| norm_eval=False | 54.00 | 81.00 | 40.00 | 0/3 |' in text
    # the selection copied into a folder without its runs: no task
    # columns, and every row as wide as the header
    other = tmp_path / 'copied'
    write_records(other, [run_record('plain', 0, 75)])
    (other / 'selection.json').write_text(
        (tmp_path / 'selection.json').read_text())
    text = report_text(summarise(load_records([str(other)])), other / 'r')
    table = text.split('### plain')[1].split('\n\n')[1].splitlines()
    assert table[0] == '| candidate | all cells | diverged runs |'
    assert {line.count('|') for line in table} == {4}


def test_holm_corrects_over_every_method_and_cell(tmp_path):
    """Three comparisons with plain over two cells, Wilcoxon p hand
    computed (5 seeds, exact): far soft all won, 2 / 2**5 = 1/16; near
    soft with the smallest difference lost, 4 / 32 = 1/8; far joint
    W+ = 1 + 3 + 5 = 9 against W- = 6, P(W- <= 6) = 13 / 32 (the subsets
    of ranks 1-5 summing to 6 or less), two-sided 13/16. Holm: 3 * 1/16,
    2 * 1/8, 1 * 13/16. Training from scratch is a
    reference, not one of the family."""
    diffs = dict(far=dict(soft=[1, 2, 3, 4, 5], joint=[1, -2, 3, -4, 5],
                          scratch=[-10, -11, -12, -13, -14]),
                 near=dict(soft=[-1, 2, 3, 4, 5]))
    records = []
    for task, methods in diffs.items():
        for seed in range(5):
            records.append(run_record('plain', seed, 60 + seed, task=task))
            records += [run_record(m, seed, 60 + seed + d[seed], task=task)
                        for m, d in methods.items()]
    summary = summary_of(tmp_path, records)
    far, near = (
        {m: r.get('diff') for m, r in c['methods'].items()}
        for c in summary['cells'])
    assert far['soft']['wilcoxon_p'] == pytest.approx(1 / 16)
    assert near['soft']['wilcoxon_p'] == pytest.approx(1 / 8)
    assert far['joint']['wilcoxon_p'] == pytest.approx(13 / 16)
    assert far['soft']['wilcoxon_p_holm'] == pytest.approx(3 / 16)
    assert near['soft']['wilcoxon_p_holm'] == pytest.approx(2 / 8)
    assert far['joint']['wilcoxon_p_holm'] == pytest.approx(13 / 16)
    assert 'wilcoxon_p_holm' not in far['scratch']
    assert summary['holm'] == dict(test='wilcoxon', comparisons=3,
                                   left_out=['scratch'])
    text = report_text(summary, tmp_path / 'r')
    # the summary table: raw interval, seeds won, Holm p
    assert '(+3.00 [+1.04, +4.96], 5/5, Holm p 0.188)' in text
    assert 'Holm-corrected over the 3 method x cell comparisons' in text
    # the cell table: sign p, Wilcoxon p, Wilcoxon p Holm-corrected
    assert '| 5/5 | 0.062 | 0.062 | 0.188 |' in text
    assert '| 4/5 | 0.375 | 0.125 | 0.250 |' in text


def test_wins_and_tests_leave_ties_out(tmp_path):
    """Two seeds where soft equals plain: neither a win nor a loss; the
    sign and Wilcoxon tests see the 3 non-zero differences (all won:
    p = 2 / 2**3)."""
    summary = summary_of(tmp_path, [
        run_record(m, seed, 60 + seed + (d if m == 'soft' else 0))
        for seed, d in enumerate([0, 0, 1, 2, 3])
        for m in ('plain', 'soft')])
    d = summary['cells'][0]['methods']['soft']['diff']
    assert (d['wins'], d['ties'], d['n']) == (3, 2, 5)
    assert d['sign_p'] == pytest.approx(1 / 4)
    assert d['wilcoxon_p'] == pytest.approx(1 / 4)


def test_too_few_seeds_are_marked(tmp_path):
    """Two seeds: a t-interval 12.7 standard errors wide each side, marked
    in the JSON and the tables; five are not marked."""
    two = summary_of(tmp_path / 'two', [
        run_record(m, seed, 60 + (d if m == 'soft' else 0))
        for seed, d in enumerate([1, 3]) for m in ('plain', 'soft')])
    d = two['cells'][0]['methods']['soft']['diff']
    assert d['too_few_seeds'] and d['n'] == 2
    # mean 2, sd sqrt(2), t(0.975, 1) = 12.706: 2 +- 12.706
    assert d['ci95'] == pytest.approx([2 - 12.7062, 2 + 12.7062], abs=1e-3)
    probe = two['cells'][0]['methods']['soft']['probe_diff']
    assert probe['too_few_seeds']
    text = report_text(two, tmp_path / 'r2')
    assert ('| soft | 62.00 (+2.00 [-10.71, +14.71] **n = 2: too few '
            'seeds**, 2/2, Holm p 0.500) |') in text
    assert 'Fewer than 5 paired seeds: marked **too few seeds**' in text
    five = summary_of(tmp_path / 'five', [
        run_record(m, seed, 60 + (d if m == 'soft' else 0))
        for seed, d in enumerate([1, 3, 2, 2, 1])
        for m in ('plain', 'soft')])
    d = five['cells'][0]['methods']['soft']['diff']
    assert not d['too_few_seeds'] and d['n'] == 5
    assert ': too few seeds**' not in report_text(five, tmp_path / 'r5')


def test_probe_correlation_within_cells_and_within_seeds(tmp_path):
    """Two cells, two seeds, plain and soft. Within a seed soft has the
    higher probe and the lower top-1 (r = -1 once each cell's and seed's
    means are subtracted); the seed with the easier data is higher on
    both (within cells, centred x = y = (-5.5, -4.5, 4.5, 5.5) up to
    order: r = 99 / 101); the second cell sits at a higher probe and a
    lower top-1 (over all runs, r < 0)."""
    points = dict(plain=[(0, 60), (10, 70)], soft=[(1, 59), (11, 69)])
    records = [
        run_record(m, seed, top1 + shift_y, task=task,
                   probe_top1=probe + shift_x)
        for task, shift_x, shift_y in (('far', 0, 0), ('near', 50, -40))
        for m, xy in points.items()
        for seed, (probe, top1) in enumerate(xy)]
    summary = summary_of(tmp_path, records)
    corr = summary['correlation']
    assert corr['runs'] == 8
    assert corr['all_runs']['pearson_r'] < 0
    assert corr['within_cell']['pearson_r'] == pytest.approx(99 / 101)
    assert corr['within_cell_seed']['pearson_r'] == pytest.approx(-1)
    assert corr['within_cell_seed']['spearman_rho'] == pytest.approx(-1)
    text = report_text(summary, tmp_path / 'r')
    assert '- within cells (cell means subtracted) (8 runs): Pearson r = ' \
        '0.980' in text
    assert '- within cells and seeds (the means of each cell and seed ' \
        'subtracted: what the methods of one seed do differently) (8 ' \
        'runs): Pearson r = -1.000' in text


def test_an_unpaired_run_is_flagged_and_left_out(tmp_path):
    """Soft's seed 2 saw other target batches than plain's, joint's
    seed 1 started from another head: both are left out of their
    differences and named; a diverged run's batches (a prefix) are not
    compared."""
    records = [run_record('plain', seed, 60 + seed) for seed in range(3)]
    records += [run_record('soft', 0, 61), run_record('soft', 1, 62),
                run_record('soft', 2, 90, batches_digest='other'),
                run_record('joint', 0, 63), run_record('joint', 1, 90,
                                                       head_init='other'),
                run_record('joint', 2, 25, diverged='loss is nan',
                           batches_digest='prefix', curve=[])]
    summary = summary_of(tmp_path, records)
    cell, = summary['cells']
    soft, joint = cell['methods']['soft'], cell['methods']['joint']
    assert soft['unpaired'] == [dict(seed=2, keys=['batches_digest'])]
    assert soft['diff']['n'] == 2 and soft['diff']['mean'] == 1.0
    assert soft['probe_diff']['n'] == 2
    assert joint['unpaired'] == [dict(seed=1, keys=['head_init'])]
    assert joint['diff']['n'] == 2
    assert joint['diff']['mean'] == ((63 - 60) + (25 - 62)) / 2
    assert cell['methods']['plain']['unpaired'] == []
    assert [m['seed'] for m in cell['pairing']['mismatched']] == [1, 2]
    text = report_text(summary, tmp_path / 'r')
    assert ('- **Unpaired runs, left out of the differences to plain**: '
            'joint seed 1 (head_init differ); soft seed 2 (batches_digest '
            'differ).') in text
    assert '| soft | 71.00 (+1.00 [+1.00, +1.00] **n = 2: too few seeds**, ' \
        '2/2, Holm p 1.000), **1 unpaired left out** |' in text
    # the data each method of a seed saw is compared too
    records[3] = run_record('soft', 0, 61, data_digest='d1')
    records[0] = run_record('plain', 0, 60, data_digest='d0')
    soft = summary_of(tmp_path / 'data', records)['cells'][0]['methods'][
        'soft']
    assert soft['unpaired'] == [dict(seed=0, keys=['data_digest']),
                                dict(seed=2, keys=['batches_digest'])]


def test_the_forgetting_curve_is_averaged_and_plotted(tmp_path):
    """Soft's source top-1 from 80 at step 0 to 60 and 50 (seed 0) or 70
    and 60 (seed 1); a diverged run's short curve is left out; plain
    keeps no source head, so has no curve."""
    curves = {0: [[0, 80.0], [10, 60.0], [20, 50.0]],
              1: [[0, 80.0], [10, 70.0], [20, 60.0]],
              2: [[0, 80.0]]}
    records = [run_record('plain', s, 60) for s in range(3)]
    records += [run_record('soft', s, 61, source_curve=c,
                           diverged='loss is nan' if s == 2 else None)
                for s, c in curves.items()]
    summary = summary_of(tmp_path, records)
    soft = summary['cells'][0]['methods']['soft']
    assert soft['source_curve_mean'] == [[0, 80.0], [10, 65.0], [20, 55.0]]
    assert soft['source_curve_runs'] == 2
    assert 'source_curve_mean' not in summary['cells'][0]['methods'][
        'plain']
    paths = write_report(summary, str(tmp_path / 'r'))
    text = open(paths['markdown']).read()
    assert '| far / fewshot5 | soft | 2 | 80.00 | 55.00 (20) | -25.00 |' \
        in text
    assert str(tmp_path / 'r' / 'forgetting.png') in paths['plots']
    assert (tmp_path / 'r' / 'forgetting.png').read_bytes()[:4] == \
        b'\x89PNG'
    # no run recorded it: no table, no plot
    summary = summary_of(tmp_path / 'none', records[:3] + [
        run_record('soft', s, 61) for s in range(3)])
    paths = write_report(summary, str(tmp_path / 'r2'))
    assert not (tmp_path / 'r2' / 'forgetting.png').exists()
    assert '## Forgetting' not in open(paths['markdown']).read()


def test_accuracy_is_paired_at_every_validation_point(tmp_path):
    """Claim 4's measurement: method - plain at each validation epoch,
    the area under the curve (mean over the points) and the wall time
    ratio, seed by seed."""
    curves = {0: ([[1, 50.0], [2, 60.0]], [[1, 55.0], [2, 59.0]]),
              1: ([[1, 40.0], [2, 70.0]], [[1, 48.0], [2, 71.0]]),
              2: ([[1, 45.0], [2, 65.0]], [[1, 47.0], [2, 66.0]])}
    records = []
    for s, (plain, soft) in curves.items():
        records += [
            run_record('plain', s, plain[-1][1], curve=plain,
                       wall_seconds=10.0),
            run_record('soft', s, soft[-1][1], curve=soft,
                       wall_seconds=10.0 + 5 * s)]
    summary = summary_of(tmp_path, records)
    soft = summary['cells'][0]['methods']['soft']
    (e1, d1), (e2, d2) = soft['curve_diff']
    assert (e1, e2) == (1, 2)
    assert d1['mean'] == pytest.approx((5 + 8 + 2) / 3) and d1['wins'] == 3
    assert d2['mean'] == pytest.approx((-1 + 1 + 1) / 3) and d2['wins'] == 2
    # AUC: per seed (5 - 1) / 2, (8 + 1) / 2, (2 + 1) / 2
    assert soft['auc_diff']['mean'] == pytest.approx((2 + 4.5 + 1.5) / 3)
    assert soft['wall_ratio'] == pytest.approx((1.0 + 1.5 + 2.0) / 3)
    text = report_text(summary, tmp_path / 'r')
    assert '## Accuracy over training, paired' in text
    assert '| soft | +5.00 [' in text and '| 1.50 |' in text
    # a run validated at other epochs than plain's: no paired curve
    records[1]['curve'] = [[1, 55.0], [3, 59.0]]
    summary = summary_of(tmp_path / 'other', records)
    assert 'curve_diff' not in summary['cells'][0]['methods']['soft']


def test_each_probe_is_set_against_the_pre_trained_probe(tmp_path):
    """Claim 2's measurement: the probe after fine-tuning minus the
    pre-trained network's probe (the task record's)."""
    records = [run_record('plain', s, 60, probe_top1=90.0 + s)
               for s in range(3)]
    records += [run_record('soft', s, 60, probe_top1=95.0 + s)
                for s in range(3)]
    write_records(tmp_path, records)
    task = dict(kind='task', task='far', source_classes=['a', 'b'],
                source_top1=80.0, pretrain_steps=10,
                probe=dict(raw_pixel=30.0, random_init=[5.0],
                           pretrained=97.0))
    (tmp_path / 'tasks').mkdir()
    (tmp_path / 'tasks' / 'far.json').write_text(json.dumps(task))
    summary = summarise(load_records([str(tmp_path)]))
    cell, = summary['cells']
    assert cell['pretrained_probe'] == 97.0
    assert cell['methods']['plain']['probe_minus_pretrained'] == \
        pytest.approx(-6.0)
    assert cell['methods']['soft']['probe_minus_pretrained'] == \
        pytest.approx(-1.0)
    text = report_text(summary, tmp_path / 'r')
    assert '| far / fewshot5 | 97.00 | plain | -6.00 [' in text
    assert '| far / fewshot5 | 97.00 | soft | -1.00 [' in text
