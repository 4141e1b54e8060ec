"""Let ``tools/dist_train.sh`` (torchrun) run on machines without a GPU.

mmengine 0.10's ``pytorch`` launcher calls ``torch.cuda.set_device`` and
wraps the model in DDP with ``device_ids=[LOCAL_RANK]``; both fail without
CUDA. On such a machine this initialises the process group itself (the
config's ``env_cfg.dist_cfg.backend``, which must then be ``gloo``) and
wraps with ``device_ids=None``, the CPU form of DDP. With CUDA it does
nothing. Call :func:`setup_cpu_distributed` on the merged config before the
Runner is built (``tools/train.py`` and ``tools/test.py`` do).
"""
import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log

__all__ = ['setup_cpu_distributed']


def setup_cpu_distributed(cfg: Config) -> bool:
    """Prepare a CPU-only multi-process run described by ``cfg``.

    Args:
        cfg (Config): The full config, with ``launcher`` already set.

    Returns:
        bool: Whether anything was set up (a distributed launcher without
        CUDA).

    Raises:
        ValueError: If the backend is not ``gloo``: NCCL needs GPUs.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return False
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get(
        'backend', 'gloo')
    if backend != 'gloo':
        raise ValueError(
            f'`env_cfg.dist_cfg.backend` is {backend!r}, but this machine '
            'has no CUDA device: use "gloo", e.g. --cfg-options '
            'env_cfg.dist_cfg.backend=gloo')
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    # mmengine reads the top-level key only without a model_wrapper_cfg
    if cfg.get('find_unused_parameters') is not None:
        wrapper.setdefault('find_unused_parameters',
                           cfg.find_unused_parameters)
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    print_log(
        f'CPU distributed run: rank {torch_dist.get_rank()} of '
        f'{torch_dist.get_world_size()} (gloo)', logger='current')
    return True
