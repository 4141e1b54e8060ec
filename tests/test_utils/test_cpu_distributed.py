"""setup_cpu_distributed: torchrun on a machine without CUDA."""
import pytest
import torch
from mmengine.config import Config

from mmsoftft.utils import cpu_distributed


@pytest.fixture
def no_cuda_group(monkeypatch):
    # a CPU machine whose process group is already up (as under torchrun)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    dist = cpu_distributed.torch_dist
    monkeypatch.setattr(dist, 'is_initialized', lambda: True)
    monkeypatch.setattr(dist, 'get_rank', lambda: 0)
    monkeypatch.setattr(dist, 'get_world_size', lambda: 2)
    monkeypatch.setattr(cpu_distributed, 'print_log', lambda *a, **k: None)


def test_top_level_find_unused_parameters_reaches_the_wrapper(no_cuda_group):
    cfg = Config(dict(launcher='pytorch', find_unused_parameters=True,
                      env_cfg=dict(dist_cfg=dict(backend='gloo'))))
    assert cpu_distributed.setup_cpu_distributed(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', device_ids=None,
        find_unused_parameters=True)


def test_nccl_without_cuda_is_a_clear_error(no_cuda_group):
    cfg = Config(dict(launcher='pytorch',
                      env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    with pytest.raises(ValueError, match='use "gloo"'):
        cpu_distributed.setup_cpu_distributed(cfg)


def test_nothing_to_do_without_a_launcher():
    assert not cpu_distributed.setup_cpu_distributed(
        Config(dict(launcher='none')))
