"""Publish a trained checkpoint for plain MMPretrain (no mmsoftft needed).

After mmpretrain's tools/model_converters/publish_model.py. A training
checkpoint also holds the optimizer, the parameter schedulers and mmengine's
message hub (``HistoryBuffer`` and numpy objects), which torch >= 2.6 refuses
to unpickle under its default ``weights_only=True`` unless mmsoftft's
allow-list is registered. The published file keeps only ``state_dict`` and
``meta``, holds nothing outside torch's default allow-list (checked), and is
named ``<name>-<sha256[:8]>.pth``, the name torch hub's ``check_hash``
expects.

Its ``state_dict`` holds the weights of a plain ``ImageClassifier``
(``backbone``, ``neck``, ``head``: the target classifier): the retained
source head (``source_head.*``) and any other part a plain classifier does
not have are dropped, unless ``--keep-source-head``. Beside it the tool
writes ``<name>_inference.py``: a plain mmpretrain config (an
``ImageClassifier`` with the training config's backbone, neck, head and
normalisation; its test loader with mmpretrain's ``LoadImageFromFile``; no
``custom_imports``, no mmsoftft component: checked), built from the training
config that mmengine stores in the checkpoint's ``meta`` (or ``--config``).
The weights are checked to load into that model with no missing and no
unexpected key before anything is written.

Usage: python tools/publish_model.py IN_FILE OUT_FILE [--config CONFIG]
    [--keep-source-head]
    e.g. ... work_dirs/softft_digits/epoch_30.pth softft_digits.pth
    writes softft_digits-<sha256[:8]>.pth and softft_digits_inference.py
"""
import argparse
import copy
import hashlib
import os
import os.path as osp

import mmpretrain
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmsoftft  # noqa: F401  (allow-list to read training checkpoints)

# The parts of mmpretrain's ImageClassifier that hold weights.
PLAIN_PARTS = ('backbone', 'neck', 'head')
# Model types whose backbone/neck/head make a plain ImageClassifier.
CLASSIFIERS = ('ImageClassifier', 'ChannelsLastImageClassifier',
               'SoftFineTuneClassifier', 'L2SPClassifier', 'LwFClassifier')
# A plugin step of a test pipeline -> mmpretrain's own.
PLAIN_TRANSFORMS = {'CheckedLoadImageFromFile': 'LoadImageFromFile'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('in_file', help='training checkpoint')
    parser.add_argument(
        'out_file', help='output name; the hash is added before .pth')
    parser.add_argument(
        '--config',
        help='the training config (default: the one mmengine stored in '
        'the checkpoint\'s meta)')
    parser.add_argument(
        '--keep-source-head',
        action='store_true',
        help='keep the source head\'s weights (source_head.*), which a '
        'plain ImageClassifier reports as unexpected keys')
    return parser.parse_args(argv)


def plain_loading_globals(path: str) -> list:
    """Globals in ``path`` outside torch's default ``weights_only``
    allow-list (as a process without mmsoftft sees it); none to check
    before torch 2.5, which does not load with ``weights_only`` by
    default."""
    if not hasattr(torch.serialization, 'get_unsafe_globals_in_checkpoint'):
        return []
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(path)
    finally:
        torch.serialization.add_safe_globals(saved)


def plugin_names() -> set:
    """Names of the components mmsoftft registers in mmpretrain's
    registries."""
    import mmpretrain.registry as registries
    from mmengine.registry import Registry
    return {
        name
        for registry in vars(registries).values()
        if isinstance(registry, Registry)
        for name, obj in registry.module_dict.items()
        if getattr(obj, '__module__', '').startswith('mmsoftft')
    }


def plugin_types(value, names: set, key: str = 'cfg') -> list:
    """``(key path, type)`` of every ``type`` in a config that is one of
    ``names``."""
    found = []
    if isinstance(value, dict):
        if value.get('type') in names:
            found.append((key, value['type']))
        for k, v in value.items():
            found += plugin_types(v, names, f'{key}.{k}')
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += plugin_types(v, names, f'{key}[{i}]')
    return found


def inference_config(train_cfg: Config) -> Config:
    """A plain mmpretrain config for ``train_cfg``'s target classifier.

    Args:
        train_cfg (Config): The training config.

    Returns:
        Config: ``ImageClassifier`` with the training model's ``backbone``,
        ``neck`` and ``head`` (no ``init_cfg``: the published weights are
        loaded instead), the top-level ``data_preprocessor``, and the test
        loader (or the validation loader), evaluator and ``test_cfg`` with
        mmpretrain's ``LoadImageFromFile``.

    Raises:
        ValueError: For a model type other than :data:`CLASSIFIERS`, or a
            config still naming an mmsoftft component.
    """
    model = copy.deepcopy(train_cfg.model.to_dict())
    if model.get('type') not in CLASSIFIERS:
        raise ValueError(
            f'`model.type` should be one of {CLASSIFIERS} to publish it as '
            f'a plain ImageClassifier, but got {model.get("type")!r}')
    plain = dict(type='ImageClassifier')
    for part in PLAIN_PARTS:
        if model.get(part) is not None:
            plain[part] = {
                k: v
                for k, v in model[part].items() if k != 'init_cfg'
            }
    if model.get('data_preprocessor') is not None:
        plain['data_preprocessor'] = model['data_preprocessor']
    cfg = dict(default_scope='mmpretrain', model=plain)
    if train_cfg.get('data_preprocessor') is not None:
        cfg['data_preprocessor'] = train_cfg.data_preprocessor.to_dict()
    loader = train_cfg.get('test_dataloader') or train_cfg.get(
        'val_dataloader')
    if loader is not None:
        loader = copy.deepcopy(loader.to_dict())
        for step in loader.get('dataset', {}).get('pipeline', []):
            step['type'] = PLAIN_TRANSFORMS.get(step['type'], step['type'])
        collate = loader.get('collate_fn')
        if isinstance(collate, dict) and collate.get('type') == \
                'stack_collate':
            loader['collate_fn'] = dict(type='default_collate')
        cfg['test_dataloader'] = loader
        evaluator = train_cfg.get('test_evaluator') or train_cfg.get(
            'val_evaluator')
        if evaluator is not None:
            cfg['test_evaluator'] = copy.deepcopy(
                evaluator.to_dict() if hasattr(evaluator, 'to_dict') else
                evaluator)
        cfg['test_cfg'] = dict()
    left = plugin_types(cfg, plugin_names())
    if left:
        raise ValueError(
            f'The inference config would still need mmsoftft: {left[0][0]} '
            f'is {left[0][1]!r} ({len(left)} such keys)')
    return Config(cfg)


def plain_state_dict(state_dict: dict, keep_source_head: bool) -> tuple:
    """``(kept, dropped)``: the weights of a plain ``ImageClassifier``
    (plus ``source_head.*`` if ``keep_source_head``) and the sorted
    top-level names of the dropped parts."""
    keep = PLAIN_PARTS + (('source_head', ) if keep_source_head else ())
    kept, dropped = {}, set()
    for key, value in state_dict.items():
        part = key.split('.')[0]
        if part in keep:
            kept[key] = value
        else:
            dropped.add(part)
    return kept, sorted(dropped)


def check_loads(cfg: Config, state_dict: dict,
                keep_source_head: bool) -> None:
    """Build ``cfg.model`` and check that ``state_dict`` loads into it.

    Raises:
        ValueError: If a weight of the model is missing or has another
            shape, or the state dict holds a key the model does not have
            (other than a kept ``source_head.*``).
    """
    from mmpretrain.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(model_cfg)
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [
        k for k in state_dict if k not in own
        and not (keep_source_head and k.startswith('source_head.'))
    ]
    shapes = [
        f'{k} {tuple(state_dict[k].shape)} vs {tuple(v.shape)}'
        for k, v in own.items()
        if k in state_dict and state_dict[k].shape != v.shape
    ]
    if missing or unexpected or shapes:
        raise ValueError(
            'The weights do not match the inference model built from the '
            f'training config: missing {missing[:3]}, unexpected '
            f'{unexpected[:3]}, other shapes {shapes[:3]}; pass the '
            'config it was trained with as --config')


def publish_checkpoint(in_file: str,
                       out_file: str,
                       config: str = None,
                       keep_source_head: bool = False) -> tuple:
    """Write ``in_file``'s plain weights and ``meta`` as
    ``<out_file without .pth>-<sha256[:8]>.pth`` and its inference config
    as ``<out_file without .pth>_inference.py``.

    Args:
        in_file (str): A training checkpoint (mmengine's format).
        out_file (str): Output path; its directory must exist.
        config (str, optional): The training config. Defaults to None: the
            one in the checkpoint's ``meta['cfg']``.
        keep_source_head (bool): Keep ``source_head.*``. Defaults to False.

    Returns:
        tuple[str, str, list[str]]: The checkpoint and the config written,
        and the parts dropped from the state dict (e.g. ``source_head``).

    Raises:
        FileNotFoundError: If ``out_file``'s directory does not exist.
        ValueError: If ``in_file`` has no ``state_dict``, holds EMA weights
            (not supported), has no training config (and none is given),
            its weights do not load into the inference model, or its
            ``meta`` needs types that plain ``weights_only`` loading
            refuses.
    """
    out_dir = osp.dirname(osp.abspath(out_file))
    if not osp.isdir(out_dir):
        raise FileNotFoundError(
            f'The directory of out_file {out_file!r} does not exist')
    ckpt = torch.load(in_file, map_location='cpu')
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt:
        keys = sorted(ckpt) if isinstance(ckpt, dict) else type(ckpt)
        raise ValueError(f'{in_file!r} is not a training checkpoint with a '
                         f'`state_dict`, but has {keys}')
    if 'ema_state_dict' in ckpt:
        raise ValueError(f'{in_file!r} holds EMA weights (`ema_state_dict`),'
                         ' which this tool does not publish')
    meta = dict(ckpt.get('meta') or {})
    if config is not None:
        train_cfg = Config.fromfile(config)
    elif isinstance(meta.get('cfg'), str):
        train_cfg = Config.fromstring(meta['cfg'], '.py')
    else:
        raise ValueError(
            f'{in_file!r} holds no training config (`meta.cfg`): pass the '
            'config it was trained with as --config')
    cfg = inference_config(train_cfg)
    state_dict, dropped = plain_state_dict(ckpt['state_dict'],
                                           keep_source_head)
    check_loads(cfg, state_dict, keep_source_head)
    meta.setdefault('mmpretrain_version', mmpretrain.__version__)
    name = out_file[:-len('.pth')] if out_file.endswith('.pth') else out_file
    tmp = f'{name}.pth.part'
    torch.save(dict(state_dict=state_dict, meta=meta), tmp)
    unsafe = plain_loading_globals(tmp)
    if unsafe:
        os.remove(tmp)
        raise ValueError(
            f'The `meta` of {in_file!r} holds {unsafe}, which plain '
            'weights_only loading refuses: nothing was written')
    with open(tmp, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    final = f'{name}-{sha[:8]}.pth'
    os.replace(tmp, final)
    config_out = f'{name}_inference.py'
    with open(config_out, 'w') as f:
        f.write(f'# Inference config of {osp.basename(final)} for plain '
                'mmpretrain, written by\n# tools/publish_model'
                '.py from the training config.\n')
        f.write(cfg.pretty_text)
    return final, config_out, dropped


def main():
    args = parse_args()
    final, config, dropped = publish_checkpoint(args.in_file, args.out_file,
                                       args.config, args.keep_source_head)
    if dropped:
        print(f'Dropped {", ".join(f"{p}.*" for p in dropped)} (not in a '
              'plain ImageClassifier)')
    print(f'Published {args.in_file} as {final}')
    print(f'Inference config (plain mmpretrain): {config}')


if __name__ == '__main__':
    main()
