"""Loud checks of ``Pretrained`` init_cfgs before mmengine loads them.

mmengine's ``PretrainedInit`` loads with ``strict=False``: a missing prefix
fails with a bare assertion and a class-count mismatch is only a warning in
the log. Soft fine-tuning needs the backbone and the source head to be the
pre-trained ones, so their checkpoints are checked first, with errors that
name the checkpoint, the keys and the fix.
"""
from typing import Optional

import torch.nn as nn
from mmengine.runner.checkpoint import _load_checkpoint

__all__ = ['check_pretrained', 'pretrained_checkpoint']


def pretrained_checkpoint(init_cfg) -> Optional[dict]:
    """The ``Pretrained`` entry of an ``init_cfg`` (a dict or a list of
    dicts), or None."""
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    for cfg in cfgs:
        if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
            return cfg
    return None


def check_pretrained(parts, cache: Optional[dict] = None) -> None:
    """Check that each checkpoint holds every weight of its module, with
    the module's shapes.

    Args:
        parts (list[tuple[str, nn.Module, dict]]): ``(name, module,
            pretrained_cfg)``: the config key of the module (e.g.
            ``'source_head'``), the module and its ``Pretrained`` init_cfg
            (with ``checkpoint`` and ``prefix``).
        cache (dict, optional): Checkpoints already loaded, by path.

    Raises:
        ValueError: If a checkpoint lacks a weight of the module or a weight
            has another shape (for a head: another class count).
    """
    cache = {} if cache is None else cache
    for name, module, cfg in parts:
        path, prefix = cfg['checkpoint'], cfg.get('prefix') or ''
        if path not in cache:
            ckpt = _load_checkpoint(path, map_location='cpu')
            cache[path] = ckpt.get('state_dict', ckpt)
        prefix = prefix.rstrip('.') + '.' if prefix else ''
        given = {
            k[len(prefix):]: v
            for k, v in cache[path].items() if k.startswith(prefix)
        }
        _check_module(name, module, path, prefix, given)


def _check_module(name: str, module: nn.Module, path: str, prefix: str,
                  given: dict) -> None:
    own = module.state_dict()
    missing = [k for k in own if k not in given]
    if missing:
        hint = (f' Set `model.{name}.init_cfg.prefix` to where its weights '
                'are stored in the checkpoint.')
        raise ValueError(
            f'Checkpoint {path!r} has no weights for `{name}`: keys '
            f'{prefix}{missing[0]} ... ({len(missing)} missing).{hint}')
    for key, value in own.items():
        if given[key].shape != value.shape:
            msg = (f'`{name}.{key}` has shape {tuple(value.shape)} but '
                   f'checkpoint {path!r} key `{prefix}{key}` has shape '
                   f'{tuple(given[key].shape)}')
            if 'head' in name and value.dim() in (1, 2):
                msg += (f': {name} has {value.shape[0]} classes, the '
                        f'checkpoint\'s {prefix.rstrip(".") or "model"} has '
                        f'{given[key].shape[0]}; set '
                        f'`model.{name}.num_classes={given[key].shape[0]}`')
            raise ValueError(msg)
