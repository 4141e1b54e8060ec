"""SoftFineTuneHook and the whole pipeline in a real MMEngine Runner."""
import glob
import json
import math
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from ...conftest import BatchRecorder, StepCounter, repo_path, softft_cfg

ITERS_PER_EPOCH = 3  # 12 target images, batch 4
MAX_EPOCHS = 6
END = 9  # decay_end=0.5 of 18 iterations


def run(cfg, resume_from=None):
    if resume_from is not None:
        cfg.resume = True
        cfg.load_from = resume_from
    runner = Runner.from_cfg(cfg)
    recorder = BatchRecorder()
    runner.register_hook(recorder)
    runner.train()
    return runner, recorder


@pytest.fixture(scope='module')
def full_run(tiny_data, pretrained_ckpt, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('full')
    cfg = softft_cfg(tiny_data, pretrained_ckpt, work_dir)
    cfg.visualizer.vis_backends = [
        dict(type='LocalVisBackend'),
        dict(type='TensorboardVisBackend')
    ]
    runner, recorder = run(cfg)
    return dict(runner=runner, recorder=recorder, work_dir=str(work_dir))


def expected_weight(t):
    if t >= END:
        return 0.0
    return 0.5 * (1 + math.cos(math.pi * t / END))


def test_weight_follows_schedule_and_reaches_exact_zero(full_run):
    weights = full_run['recorder'].weights
    assert sorted(weights) == list(range(MAX_EPOCHS * ITERS_PER_EPOCH))
    for t, w in weights.items():
        assert w == pytest.approx(expected_weight(t)), t
    assert weights[0] == 1.0
    assert all(weights[t] == 0.0 for t in range(END, 18))
    assert all(weights[t] > 0.0 for t in range(END))


def test_source_images_stop_being_loaded_at_zero_weight(full_run):
    domains = full_run['recorder'].domains
    for t, batch in domains.items():
        assert batch.count('target') == 4
        assert batch.count('source') == (4 if t < END else 0), t


def test_weight_and_losses_in_the_log(full_run):
    scalars = glob.glob(
        osp.join(full_run['work_dir'], '*', 'vis_data', 'scalars.json'))
    assert len(scalars) == 1
    rows = [json.loads(line) for line in open(scalars[0])]
    train = [r for r in rows if 'source_weight' in r]
    assert len(train) == 18
    logged = [r['source_weight'] for r in train]
    assert logged[0] == pytest.approx(1.0)
    assert logged[-1] == 0.0 and logged[END] == 0.0
    assert all(a >= b for a, b in zip(logged, logged[1:]))
    assert all('loss_target' in r for r in train)
    # the source loss is logged while it is part of the total, then leaves
    # the log (no stale running average of earlier iterations)
    assert all('loss_source' in r for r in train[:END])
    assert not any('loss_source' in r for r in train[END:])
    # (losses are logged smoothed over 10 iterations; read the last one)
    hub = full_run['runner'].message_hub
    last = {k: hub.get_scalar(f'train/{k}').current()
            for k in ('loss', 'loss_target')}
    # with w = 0 the total is the target loss alone
    assert last['loss'] == pytest.approx(last['loss_target'])
    assert 'train/loss_source' not in hub.log_scalars
    assert any(r.get('accuracy/top1') is not None for r in rows)
    # where w reaches 0 the smoothed total restarts: from there on it is the
    # mean of target losses only (the window of iterations END..t)
    raw_target = hub.get_scalar('train/loss_target').data[0]
    assert len(raw_target) == 18
    for t in (END, END + 1, END + 4):
        window = raw_target[END:t + 1]
        assert train[t]['loss'] == pytest.approx(
            float(window.mean()), rel=1e-4), t
    assert train[END - 1]['loss'] > train[END - 1]['loss_target']


def test_source_weight_without_source_samples_is_refused(
        tiny_data, pretrained_ckpt, tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1)
    cfg.train_dataloader.batch_sampler.source_batch_size = 0
    with pytest.raises(ValueError, match='`start_weight` is 1.0 but the '
                       'batch sampler draws no source sample'):
        run(cfg)


def test_weight_in_tensorboard(full_run):
    from tensorboard.backend.event_processing.event_accumulator import (
        EventAccumulator,
    )
    events = glob.glob(
        osp.join(full_run['work_dir'], '*', 'vis_data', 'events.out.*'))
    assert events
    acc = EventAccumulator(osp.dirname(events[0]))
    acc.Reload()
    values = [e.value for e in acc.Scalars('source_weight')]
    assert values[0] == pytest.approx(1.0) and values[-1] == 0.0


def test_resume_mid_decay_continues_exactly(full_run, tiny_data,
                                            pretrained_ckpt, tmp_path):
    ckpt = osp.join(full_run['work_dir'], 'epoch_2.pth')  # iteration 6 < 9
    shutil.copy(ckpt, tmp_path / 'epoch_2.pth')
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'resumed')
    runner, recorder = run(cfg, resume_from=str(tmp_path / 'epoch_2.pth'))
    full = full_run['recorder']
    assert sorted(recorder.weights) == list(range(6, 18))
    for t in range(6, 18):
        assert recorder.weights[t] == full.weights[t]
        assert recorder.batches[t] == full.batches[t]
    a = full_run['runner'].model.state_dict()
    b = runner.model.state_dict()
    for key in a:
        assert torch.allclose(a[key].float(), b[key].float(), atol=1e-5), key


def test_start_weight_zero_loads_no_source_image(tiny_data, pretrained_ckpt,
                                                 tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1,
                     start_weight=0.0)
    cfg.log_level = 'INFO'
    _, recorder = run(cfg)
    assert all(b == ['target'] * 4 for b in recorder.domains.values())
    assert set(recorder.weights.values()) == {0.0}
    log = open(glob.glob(str(tmp_path / '*' / '*.log'))[0]).read()
    assert 'start_weight=0: plain fine-tuning, no source image' in log
    assert 'decays' not in log


def test_hook_needs_a_source_branch(tiny_data, tmp_path):
    cfg = Config.fromfile(repo_path('configs/demo/finetune_digits.py'))
    cfg.merge_from_dict({
        'work_dir': str(tmp_path),
        'model.backbone.init_cfg': None,
        'train_dataloader.dataset.data_root': tiny_data['target'],
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'val_dataloader.dataset.data_root': tiny_data['target'],
        'val_dataloader.num_workers': 0,
    })
    cfg.custom_hooks = [dict(type='SoftFineTuneHook')]
    runner = Runner.from_cfg(cfg)
    recorder = BatchRecorder()
    runner.register_hook(recorder)
    with pytest.raises(TypeError, match='needs a model with a source branch'):
        runner.train()
    assert recorder.weights == {}  # failed before any training step


def test_bad_schedule_fails_when_the_config_is_built(tiny_data,
                                                     pretrained_ckpt,
                                                     tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, shape='sigmoid')
    with pytest.raises(ValueError, match='`shape` should be one of'):
        Runner.from_cfg(cfg).train()


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(
        tiny_data, pretrained_ckpt, tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path)
    runner = Runner.from_cfg(cfg)
    source_loss = runner.model.source_head.loss_module
    real_forward = source_loss.forward

    def poisoned(*args, **kwargs):
        loss = real_forward(*args, **kwargs)
        return loss * float('nan') if runner.iter >= 4 else loss

    source_loss.forward = poisoned  # this model instance only
    with pytest.raises(FloatingPointError) as e:
        runner.train()
    message = str(e.value)
    assert 'loss_source is nan at iteration 4' in message
    assert 'epoch_1.pth' in message  # the last good checkpoint
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_1.pth']
    state = torch.load(tmp_path / 'epoch_1.pth',
                       weights_only=True)['state_dict']
    assert all(torch.isfinite(v.float()).all() for v in state.values())


def test_unreadable_image_is_skipped_and_counted(tiny_data, pretrained_ckpt,
                                                 tmp_path):
    root = shutil.copytree(tiny_data['target'], tmp_path / 'cub')
    names = dict(line.split() for line in open(root / 'images.txt'))
    split = dict(line.split() for line in open(root / 'train_test_split.txt'))
    bad = next(names[i] for i, train in split.items() if train == '1')
    (root / 'images' / bad).write_bytes(b'not a jpeg at all')
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path / 'work',
                     max_epochs=2)
    cfg.train_dataloader.dataset.target.data_root = str(root)
    runner, recorder = run(cfg)
    assert len(recorder.weights) == 6  # training went on
    skipped = [p for batch in recorder.batches.values() for p in batch]
    assert not any(bad in path for _, _, path in skipped)
    hub = runner.message_hub
    assert hub.get_scalar('train/skipped_files').current() == 2  # 2 epochs
    log = open(glob.glob(str(tmp_path / 'work' / '*' / '*.log'))[0]).read()
    assert f'Skipped target image {root / "images" / bad}' in log
    rows = [json.loads(line) for line in open(
        glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' /
                      'scalars.json'))[0])]
    assert [r['skipped_files'] for r in rows if 'skipped_files' in r][-1] == 2


def test_decay_past_the_training_stops_before_the_first_step(
        tiny_data, pretrained_ckpt, tmp_path):
    # 1 epoch of 3 iterations; w would reach 0 at iteration 15
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1,
                     decay_end=5, unit='epoch')
    runner = Runner.from_cfg(cfg)
    counter = StepCounter()
    runner.register_hook(counter)
    with pytest.raises(ValueError) as e:
        runner.train()
    assert '`decay_end`=5 (unit="epoch") is iteration 15' in str(e.value)
    assert 'end of training at iteration 3' in str(e.value)
    assert counter.steps == 0
