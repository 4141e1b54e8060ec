"""Check every checkpoint a config will load before the Runner is built.

A missing file, a truncated ``.pth`` or an unreachable URL otherwise
surfaces deep inside the Runner as a raw ``zipfile``/``urllib`` error that
names neither the config key nor the path. ``tools/train.py`` and
``tools/test.py`` call :func:`check_checkpoints` before building the Runner
(a user's own script can too), so the error names both.

URLs are fetched into the cache that mmengine's ``load_from_http`` (torch
hub's ``load_state_dict_from_url``) reads, ``<torch hub dir>/checkpoints/
<file name>``: the later load finds the file there and downloads nothing
again. Other schemes (``open-mmlab://``, ``torchvision://``, ``s3://``, ...)
are left to mmengine's loader.
"""
import os
import os.path as osp
import pickle
import re
import sys
import zipfile
from typing import List, Optional, Tuple
from urllib.parse import urlparse

import torch

__all__ = ['check_checkpoints', 'find_checkpoints', 'url_cache_file']

_PRETRAINED_TYPES = ('Pretrained', 'PretrainedInit')


def _is_pretrained_init(cfg: dict) -> bool:
    init_type = cfg.get('type')
    name = getattr(init_type, '__name__', init_type)
    return isinstance(name, str) and \
        name.split('.')[-1] in _PRETRAINED_TYPES


def _pretrained_inits(node, key: str) -> List[Tuple[str, str]]:
    found = []
    if isinstance(node, dict):
        if _is_pretrained_init(node) and isinstance(
                node.get('checkpoint'), str):
            found.append((f'{key}.checkpoint', node['checkpoint']))
        for name, value in node.items():
            found += _pretrained_inits(value, f'{key}.{name}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            found += _pretrained_inits(value, f'{key}.{i}')
    return found


def find_checkpoints(cfg,
                     init_weights: bool = True,
                     load_from_key: str = 'load_from'
                     ) -> List[Tuple[str, str]]:
    """The checkpoints a run of ``cfg`` loads, as ``(key, path or URL)``.

    Args:
        cfg (Config): The merged config.
        init_weights (bool): Whether the run initialises the model's
            weights (``Runner.train`` does, ``Runner.test`` does not): then
            every ``init_cfg`` of type ``Pretrained`` anywhere in ``model``
            and the string ``model.pretrained`` (mmpretrain's shorthand for
            it) are loaded too. Defaults to True.
        load_from_key (str): How errors name ``cfg.load_from``, e.g. the
            tool argument it came from. Defaults to ``'load_from'``.

    Returns:
        list[tuple[str, str]]: Config key and path or URL, in config order.
    """
    found = []
    model = cfg.get('model')
    if init_weights and isinstance(model, dict):
        if isinstance(model.get('pretrained'), str):
            found.append(('model.pretrained', model['pretrained']))
        found += _pretrained_inits(model, 'model')
    if isinstance(cfg.get('load_from'), str):
        found.append((load_from_key, cfg.load_from))
    return found


def url_cache_file(url: str) -> str:
    """Where mmengine's ``load_from_http`` caches ``url``."""
    return osp.join(torch.hub.get_dir(), 'checkpoints',
                    osp.basename(urlparse(url).path))


def _refused_global(error: Exception) -> Optional[str]:
    """The global torch's weights_only unpickler refused, if it exists in
    this process (a truncated pickle can name a cut-off one; nothing named
    by the file is imported)."""
    found = re.search(r'Unsupported global: GLOBAL (\S+)', str(error))
    if found is None:
        return None
    module, _, attr = found.group(1).rpartition('.')
    if not hasattr(sys.modules.get(module), attr):
        return None
    return found.group(1)


def _check_readable(where: str, path: str) -> None:
    # torch.load's own default for weights_only, as mmengine's loader; the
    # zip format is memory-mapped, so nothing big is read twice.
    kwargs = dict(map_location='cpu')
    if zipfile.is_zipfile(path):
        kwargs['mmap'] = True
    try:
        torch.load(path, **kwargs)
    except pickle.UnpicklingError as e:
        name = _refused_global(e)
        if name is None:
            raise ValueError(f'{where} is not a readable torch checkpoint: '
                             f'UnpicklingError: {e}') from e
        raise pickle.UnpicklingError(
            f'{where} holds {name}, which weights_only loading does not '
            'allow. Only if you trust this file, add '
            f"'{name}' to `checkpoint_safe_globals` in the config.") from e
    except Exception as e:
        raise ValueError(f'{where} is not a readable torch checkpoint '
                         f'(truncated or corrupt?): {type(e).__name__}: '
                         f'{e}') from e


def _check_url(key: str, url: str) -> None:
    cached = url_cache_file(url)
    if not osp.exists(cached):
        os.makedirs(osp.dirname(cached), exist_ok=True)
        try:
            # writes a temporary file and renames it: no partial cache file
            torch.hub.download_url_to_file(url, cached, progress=False)
        except (OSError, ValueError) as e:
            raise ConnectionError(
                f'Cannot download the checkpoint of `{key}` from {url!r}: '
                f'{type(e).__name__}: {e}') from e
    _check_readable(
        f'`{key}` = {url!r} (downloaded to {cached!r}; delete that file to '
        'download it again)', cached)


def check_checkpoints(cfg,
                      init_weights: bool = True,
                      load_from_key: str = 'load_from') -> None:
    """Fail early, naming the key and path or URL, if a checkpoint that a
    run of ``cfg`` loads cannot be read.

    Local files must exist and load with ``torch.load`` (the allow-list of
    ``weights_only`` as then registered, so call this after
    ``checkpoint_safe_globals`` is applied). ``http(s)://`` URLs are
    downloaded into mmengine's cache (by local rank 0 only; the other ranks
    wait for it in mmengine's loader) and checked the same way.

    Args:
        cfg (Config): The merged config.
        init_weights (bool): See :func:`find_checkpoints`.
            Defaults to True.
        load_from_key (str): See :func:`find_checkpoints`.
            Defaults to ``'load_from'``.

    Raises:
        FileNotFoundError: A local checkpoint does not exist.
        ValueError: A checkpoint is not a readable torch checkpoint.
        pickle.UnpicklingError: A checkpoint needs a type outside the
            ``weights_only`` allow-list.
        ConnectionError: A URL cannot be fetched.
    """
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    for key, path in find_checkpoints(cfg, init_weights, load_from_key):
        scheme = urlparse(path).scheme
        if scheme in ('http', 'https'):
            if local_rank == 0:
                _check_url(key, path)
        elif '://' in path:
            continue  # mmengine's other loaders resolve these themselves
        elif not osp.isfile(path):
            raise FileNotFoundError(
                f'The checkpoint of `{key}` does not exist: {path!r} '
                f'(looked for {osp.abspath(path)!r})')
        else:
            _check_readable(f'`{key}` = {path!r}', path)
