"""CoTuningHook: R = the class means of the pre-trained source head's
softmax on the target training images (val pipeline), computed once: not
again on resume; without the hook, training stops before any step."""
import random
from collections import defaultdict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner, load_checkpoint
from mmpretrain.registry import DATASETS, MODELS

from mmsoftft.engine import CoTuningHook

from ...baseline_configs import baseline_cfg, train
from ...conftest import StepCounter, repo_path

LOAD = dict(type='LoadImageFromFile')
PACK = dict(type='PackInputs')
FLIP = dict(type='RandomFlip', prob=1.0, direction='vertical')
# the Runner computes on the GPU when there is one (TF32 convolutions)
ATOL = 2e-3 if torch.cuda.is_available() else 1e-5


def cotuning_cfg(tiny_data, ckpt, work_dir, max_epochs=1):
    return baseline_cfg('cotuning', tiny_data, ckpt, work_dir, max_epochs)


def hand_relationship(tiny_data, ckpt, pipeline):
    """R by its definition, sample by sample: the pre-trained network (a
    plain ImageClassifier loaded from ``ckpt``), each target training image
    through ``pipeline``, softmax, mean per class."""
    cfg = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    cfg.head.num_classes = 3
    cfg.data_preprocessor = Config.fromfile(
        repo_path('configs/demo/finetune_digits.py')).data_preprocessor
    model = MODELS.build(cfg)
    load_checkpoint(model, ckpt)
    model.eval()
    dataset = DATASETS.build(
        dict(type='CUB', data_root=tiny_data['target'], split='train',
             pipeline=pipeline))
    probs = defaultdict(list)
    with torch.no_grad():
        for i in range(len(dataset)):
            data = model.data_preprocessor(
                {k: [v] for k, v in dataset[i].items()}, False)
            logits = model(data['inputs'], mode='tensor')
            label = int(data['data_samples'][0].gt_label)
            probs[label].append(logits.softmax(dim=1)[0].numpy())
    assert sorted(probs) == [0, 1, 2]
    return torch.tensor(np.stack(
        [np.mean(probs[c], axis=0) for c in range(3)]), dtype=torch.float32)


@pytest.fixture(scope='module')
def unflipped(tiny_data, confident_ckpt):
    return hand_relationship(tiny_data, confident_ckpt, [LOAD, PACK])


@pytest.fixture(scope='module')
def flipped(tiny_data, confident_ckpt):
    return hand_relationship(tiny_data, confident_ckpt, [LOAD, FLIP, PACK])


def test_pipelines_make_a_visible_difference(unflipped, flipped):
    # the checks below can tell the two pipelines apart
    assert (unflipped - flipped).abs().max() > 0.01
    torch.testing.assert_close(unflipped.sum(1), torch.ones(3))


def test_relationship_is_the_pretrained_class_means_on_val_images(
        tiny_data, confident_ckpt, tmp_path, unflipped):
    cfg = cotuning_cfg(tiny_data, confident_ckpt, tmp_path)
    # the train pipeline flips: the hook must use the val pipeline instead
    cfg.train_dataloader.dataset.pipeline = [LOAD, FLIP, PACK]
    runner = train(cfg)  # R fixed before the first step, never trained
    torch.testing.assert_close(runner.model.relationship.cpu(), unflipped,
                               rtol=0, atol=ATOL)


def test_configured_pipeline_batches_and_workers(tiny_data, confident_ckpt,
                                                 tmp_path, flipped):
    cfg = cotuning_cfg(tiny_data, confident_ckpt, tmp_path)
    cfg.custom_hooks = [dict(type='CoTuningHook', pipeline=[LOAD, FLIP, PACK],
                             batch_size=5, num_workers=1)]
    runner = train(cfg)
    torch.testing.assert_close(runner.model.relationship.cpu(), flipped,
                               rtol=0, atol=ATOL)


def test_not_recomputed_on_resume(tiny_data, confident_ckpt, tmp_path,
                                  unflipped, flipped):
    first = cotuning_cfg(tiny_data, confident_ckpt, tmp_path / 'first', 2)
    train(first)
    saved = torch.load(str(tmp_path / 'first' / 'epoch_1.pth'),
                       map_location='cpu',
                       weights_only=False)['state_dict']['relationship']
    torch.testing.assert_close(saved, unflipped, rtol=0, atol=ATOL)
    # a recomputation would now use the flip and the fine-tuned weights
    resumed = cotuning_cfg(tiny_data, confident_ckpt, tmp_path / 'resumed', 2)
    resumed.custom_hooks = [dict(type='CoTuningHook',
                                 pipeline=[LOAD, FLIP, PACK])]
    counter = StepCounter()
    runner = train(resumed, counter,
                   resume_from=str(tmp_path / 'first' / 'epoch_1.pth'))
    assert counter.steps == 3  # the second epoch only
    assert torch.equal(runner.model.relationship.cpu(), saved)
    assert runner.model.relationship_checked


def test_config_without_the_hook_fails_before_the_first_step(
        tiny_data, confident_ckpt, tmp_path):
    cfg = cotuning_cfg(tiny_data, confident_ckpt, tmp_path)
    cfg.custom_hooks = []
    counter = StepCounter()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(counter)
    with pytest.raises(ValueError, match='trains only with CoTuningHook in '
                       '`custom_hooks`'):
        runner.train()
    assert counter.steps == 0 and runner.iter == 0


def ready_runner(tiny_data, ckpt, work_dir, **changes):
    """A Runner of the demo config with the pre-trained weights loaded, as
    ``before_train`` finds it."""
    cfg = cotuning_cfg(tiny_data, ckpt, work_dir)
    cfg.merge_from_dict(changes)
    runner = Runner.from_cfg(cfg)
    runner.model.init_weights()
    return runner


def test_leaves_modes_and_random_streams_as_they_were(
        tiny_data, confident_ckpt, tmp_path, unflipped):
    runner = ready_runner(tiny_data, confident_ckpt, tmp_path)
    model = runner.model
    model.train()
    model.backbone.layer1.eval()  # a mixed state, restored exactly
    modes = {name: m.training for name, m in model.named_modules()}
    torch.manual_seed(1)
    states = (torch.get_rng_state(), np.random.get_state()[1].copy(),
              random.getstate())
    CoTuningHook(pipeline=[LOAD, dict(type='RandomCrop', crop_size=32,
                                      padding=4), PACK]).before_train(runner)
    assert {n: m.training for n, m in model.named_modules()} == modes
    assert torch.equal(torch.get_rng_state(), states[0])
    assert np.array_equal(np.random.get_state()[1], states[1])
    assert random.getstate() == states[2]
    assert model.relationship_computed and model.relationship_checked


def test_a_class_without_training_images(tiny_data, confident_ckpt,
                                         tmp_path):
    runner = ready_runner(tiny_data, confident_ckpt, tmp_path, **{
        'model.head.num_classes': 4, 'data_preprocessor.num_classes': 4})
    with pytest.raises(ValueError, match=r'classes \[3\] of 4 have none'):
        CoTuningHook().before_train(runner)
    assert not runner.model.relationship_checked


def test_a_label_outside_the_target_head(tiny_data, confident_ckpt,
                                         tmp_path):
    runner = ready_runner(tiny_data, confident_ckpt, tmp_path, **{
        'model.head.num_classes': 2, 'data_preprocessor.num_classes': 2})
    with pytest.raises(ValueError, match="label 2, outside the target "
                       "head's 2 classes"):
        CoTuningHook().before_train(runner)


def test_hook_needs_a_co_tuning_model(tiny_data, pretrained_ckpt, tmp_path):
    cfg = baseline_cfg('lpft', tiny_data, pretrained_ckpt, tmp_path,
                       max_epochs=1)
    cfg.custom_hooks = [dict(type='CoTuningHook')]
    with pytest.raises(TypeError, match='CoTuningHook needs a '
                       'CoTuningClassifier, but got LPFTClassifier'):
        Runner.from_cfg(cfg).train()


@pytest.mark.parametrize('args, error, match', [
    (dict(pipeline=dict(type='PackInputs')), TypeError,
     '`pipeline` should be a list of transform configs'),
    (dict(batch_size=0), ValueError, '`batch_size` should be >= 1'),
    (dict(num_workers=-1), ValueError, '`num_workers` should be >= 0'),
    (dict(batch_size=True), TypeError, '`batch_size` should be an int'),
])
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        CoTuningHook(**args)
