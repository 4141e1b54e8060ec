"""L2SPHook: L2-SP replaces weight decay, so a decaying optimizer (or a
config without the hook) stops training before any step."""
import pytest
from mmengine.runner import Runner

from ...baseline_configs import baseline_cfg, train
from ...conftest import StepCounter


def l2sp_cfg(tiny_data, ckpt, work_dir):
    return baseline_cfg('l2sp', tiny_data, ckpt, work_dir, max_epochs=1)


def test_optimizer_without_decay_passes(tiny_data, pretrained_ckpt,
                                        tmp_path):
    counter = StepCounter()
    runner = train(l2sp_cfg(tiny_data, pretrained_ckpt, tmp_path), counter)
    assert counter.steps == 3
    assert runner.model.optimizer_checked
    groups = runner.optim_wrapper.optimizer.param_groups
    assert all(g['weight_decay'] == 0 for g in groups)


def test_decaying_optimizer_stops_before_training(tiny_data,
                                                  pretrained_ckpt, tmp_path):
    cfg = l2sp_cfg(tiny_data, pretrained_ckpt, tmp_path)
    cfg.optim_wrapper.optimizer.weight_decay = 5e-4  # the base schedule's
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match='L2-SP replaces weight decay, but '
                       'the optimizer decays `backbone.conv1.weight`'):
        runner.train()
    assert runner.iter == 0


def test_paramwise_decay_of_one_part_is_caught(tiny_data, pretrained_ckpt,
                                               tmp_path):
    cfg = l2sp_cfg(tiny_data, pretrained_ckpt, tmp_path)
    cfg.optim_wrapper.optimizer.weight_decay = 1e-4
    cfg.optim_wrapper.paramwise_cfg = dict(
        custom_keys={'backbone': dict(decay_mult=0.0)})
    with pytest.raises(ValueError, match='decays `head.fc.weight`'):
        Runner.from_cfg(cfg).train()


def test_config_without_the_hook_fails_at_the_first_step(
        tiny_data, pretrained_ckpt, tmp_path):
    cfg = l2sp_cfg(tiny_data, pretrained_ckpt, tmp_path)
    cfg.custom_hooks = []
    counter = StepCounter()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(counter)
    with pytest.raises(ValueError, match='L2SPClassifier trains only with '
                       'L2SPHook in `custom_hooks`'):
        runner.train()
    assert counter.steps == 0


def test_hook_needs_an_l2sp_model(tiny_data, pretrained_ckpt, tmp_path):
    cfg = baseline_cfg('lpft', tiny_data, pretrained_ckpt, tmp_path,
                       max_epochs=1)
    cfg.custom_hooks = [dict(type='L2SPHook')]
    with pytest.raises(TypeError, match='L2SPHook needs an L2SPClassifier, '
                       'but got LPFTClassifier'):
        Runner.from_cfg(cfg).train()


def two_wrappers(model, backbone_decay):
    """An OptimWrapperDict, as a custom constructor builds it: the head's
    wrapper first (no decay), then the backbone's (the shared weights)."""
    import torch
    from mmengine.optim import OptimWrapper, OptimWrapperDict
    parts = {}
    for name, decay in (('head', 0.0), ('backbone', backbone_decay)):
        params = list(getattr(model, name).parameters())
        parts[name] = OptimWrapper(
            torch.optim.SGD(params, lr=0.01, weight_decay=decay))
    return OptimWrapperDict(**parts)


@pytest.mark.parametrize('decay', [0.0, 5e-4])
def test_every_wrapper_of_an_optim_wrapper_dict_is_checked(
        decay, tiny_data, pretrained_ckpt, tmp_path):
    from mmsoftft.engine import L2SPHook
    runner = Runner.from_cfg(l2sp_cfg(tiny_data, pretrained_ckpt, tmp_path))
    runner.optim_wrapper = two_wrappers(runner.model, decay)
    assert list(runner.optim_wrapper.optim_wrappers) == ['head', 'backbone']
    if decay:
        with pytest.raises(ValueError, match='L2-SP replaces weight decay, '
                           'but the optimizer decays `backbone.conv1.weight`'
                           ):
            L2SPHook().before_train(runner)
        assert not runner.model.optimizer_checked
    else:
        L2SPHook().before_train(runner)
        assert runner.model.optimizer_checked
