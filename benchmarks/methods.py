"""The methods the transfer benchmark compares, as one table.

Each method is a shipped demo config (``configs/demo/*_digits.py``): plain
fine-tuning, soft fine-tuning and the baselines run through the same
Runner, model size, target batches, schedule and seeds, and differ only in
what their config says. Adding a method is adding one entry to
:data:`METHODS` (or just its ``configs/demo/<name>_digits.py``: a demo
config the table does not name is compared as it is, with no
hyper-parameter to select).

A grid key ``'Type.arg'`` is the argument ``arg`` of the config's custom
hook of type ``Type``; any other key is a config path, as in
``--cfg-options``. The first value of each grid is the config's own (a
test checks it), or for a key the benchmark sets from the run
(:data:`RUN_KEYS`: the source batch size) the value it sets by default.
Keys in :data:`SHARED_KEYS` (BatchNorm handling, the learning rate) are
selected with plain fine-tuning and applied to every pre-trained method
that does not select them itself. :data:`VARIANTS` are settings of a
method compared beside it (the paper's defaults, the separate source
pass); they run when ``--methods`` names them.
"""
import ast
import copy
import glob
import itertools
import os.path as osp
from typing import Dict, List, NamedTuple, Optional

from mmengine.config import Config

__all__ = [
    'DEFAULT_BATCH_SIZE', 'LR_KEY', 'Method', 'METHODS', 'RUN_KEYS',
    'SHARED_KEYS', 'SOURCE_BATCH_KEY', 'VARIANTS', 'RunSpec',
    'available_methods', 'candidates', 'parse_grid', 'uses_source',
    'method_options'
]

# target images per step of tools/benchmark_methods.py (--batch-size), and
# source images per step of the methods that train on them
# (--source-batch-size) unless told otherwise
DEFAULT_BATCH_SIZE = 8
SOURCE_BATCH_KEY = 'train_dataloader.batch_sampler.source_batch_size'
LR_KEY = 'optim_wrapper.optimizer.lr'
# config keys the benchmark sets from the run (RunSpec): a grid on one of
# them starts with the value the benchmark's defaults give it
RUN_KEYS = {SOURCE_BATCH_KEY: DEFAULT_BATCH_SIZE}


class Method(NamedTuple):
    """A compared method.

    Args:
        config (str): Its config, a file name under ``configs/demo``.
        grid (dict): Hyper-parameter to candidate values for ``--select``,
            the config's own value first. Defaults to none.
        pretrained (bool): False trains from random weights (the
            from-scratch reference). Defaults to True.
        params (dict): Fixed hyper-parameters (grid keys) of every run,
            under the selected ones. Defaults to none.
    """
    config: str
    grid: Dict[str, tuple] = {}
    pretrained: bool = True
    params: Dict[str, object] = {}


METHODS = dict(
    plain=Method('finetune_digits.py',
                 grid={'model.backbone.norm_eval': (False, True)}),
    # BatchNorm is soft's own choice too: its batches mix source and
    # target; the source batch size, at the default target batch of 8, is
    # a source:target ratio of 1:1, 1:2 or 2:1
    soft=Method('softft_digits.py',
                grid={'model.backbone.norm_eval': (False, True),
                      'SoftFineTuneHook.start_weight': (1.0, 0.3),
                      'SoftFineTuneHook.decay_end': (0.25, 0.5),
                      SOURCE_BATCH_KEY: (DEFAULT_BATCH_SIZE,
                                         DEFAULT_BATCH_SIZE // 2,
                                         DEFAULT_BATCH_SIZE * 2)}),
    joint=Method('joint_digits.py',
                 grid={'SoftFineTuneHook.start_weight': (1.0, 0.3)}),
    l2sp=Method('l2sp_digits.py', grid={'model.loss.alpha': (0.1, 0.01, 1.0)}),
    lwf=Method('lwf_digits.py',
               grid={'model.loss.loss_weight': (1.0, 0.3, 3.0)}),
    lpft=Method('lpft_digits.py',
                grid={'LinearProbeHook.probe_end': (0.1, 0.3)}),
    # lambda of Co-Tuning: 2.3 is the paper's
    cotuning=Method('cotuning_digits.py',
                    grid={'model.loss.loss_weight': (2.3, 1.0, 5.0)}),
    scratch=Method('finetune_digits.py', pretrained=False),
)
# Soft fine-tuning beside its selected settings: the paper's defaults as
# shipped (start weight 1.0, cosine decay to 0 at a quarter of training,
# source:target 1:1, one joint pass), and the same with the source images
# in a separate pass (the BatchNorm control: the target's batch statistics
# never see source images). Both take plain's learning rate.
VARIANTS = dict(
    soft_paper=Method('softft_digits.py'),
    soft_separate=Method('softft_digits.py',
                         params={'model.source_forward': 'separate'}),
)
# BatchNorm in train mode (statistics updated) or frozen (pre-trained
# statistics), and the learning rate: chosen with plain fine-tuning, the
# same for every pre-trained method that does not choose its own.
SHARED_KEYS = ('model.backbone.norm_eval', LR_KEY)
_NOT_METHODS = ('digits_pretrain.py', )


def available_methods(config_dir: str,
                      variants: bool = False) -> Dict[str, Method]:
    """The table's methods whose config exists (with ``variants``, the
    :data:`VARIANTS` too), then every other ``*_digits.py`` config of
    ``config_dir`` (named after the file)."""
    table = {**METHODS, **VARIANTS} if variants else METHODS
    out = {
        name: m
        for name, m in table.items()
        if osp.isfile(osp.join(config_dir, m.config))
    }
    named = {m.config for m in METHODS.values()} | set(_NOT_METHODS)
    for path in sorted(glob.glob(osp.join(config_dir, '*_digits.py'))):
        file = osp.basename(path)
        if file not in named:
            out.setdefault(file[:-len('_digits.py')], Method(file))
    return out


def candidates(method: Method) -> List[dict]:
    """Every combination of the grid's values (the config's own first)."""
    keys = list(method.grid)
    return [
        dict(zip(keys, values))
        for values in itertools.product(*(method.grid[k] for k in keys))
    ]


def parse_grid(text: str, table: Dict[str, Method]) -> tuple:
    """``METHOD:KEY=V1,V2,...`` (a ``--grid`` option) as ``(method, key,
    values)``; the values are Python literals (``0.02``, ``True``).

    Raises:
        ValueError: If the text has not that form, names a method not in
            ``table`` or a value is not a literal.
    """
    name, sep, rest = text.partition(':')
    key, eq, values = rest.partition('=')
    if not (sep and eq and name and key and values):
        raise ValueError(f'--grid {text!r}: expected METHOD:KEY=V1,V2,... '
                         "(e.g. 'plain:optim_wrapper.optimizer.lr=0.02,"
                         "0.01')")
    if name not in table:
        raise ValueError(f'--grid {text!r}: method {name!r} is not compared'
                         f' (--methods: {sorted(table)})')
    out = []
    for value in values.split(','):
        try:
            out.append(ast.literal_eval(value.strip()))
        except (ValueError, SyntaxError):
            raise ValueError(f'--grid {text!r}: {value!r} is not a Python '
                             'literal (a number, True/False, a quoted '
                             'string)') from None
    return name, key, tuple(out)


def uses_source(cfg: Config) -> bool:
    """Whether the config trains on source images too."""
    return cfg.train_dataloader.dataset.type == 'SourceTargetDataset'


class RunSpec(NamedTuple):
    """What one run trains on and how long (the same for every method of
    a cell and seed). ``source_batch_size`` is the source images per
    step of the methods that train on source images (None: as many as
    ``batch_size``)."""
    seed: int
    epochs: int
    val_interval: int
    batch_size: int
    width: int
    target_root: str
    eval_root: str
    source_root: str
    checkpoint: str
    num_target: int
    num_source: int
    workers: int = 0
    source_batch_size: Optional[int] = None


def _set_hook_arg(hooks: List[dict], key: str, value) -> None:
    hook_type, arg = key.split('.', 1)
    found = [h for h in hooks if h.get('type') == hook_type]
    if not found:
        have = [h.get('type') for h in hooks]
        raise ValueError(f'{key!r}: the config has no custom hook of type '
                         f'{hook_type!r} (it has {have})')
    for hook in found:
        hook[arg] = value


def method_options(method: Method, cfg: Config, params: dict, spec: RunSpec,
                   extra_hooks: Optional[List[dict]] = None) -> dict:
    """``--cfg-options`` of one run of ``method`` (its config ``cfg``).

    Args:
        method (Method): The method.
        cfg (Config): Its config, as read from ``method.config``.
        params (dict): Hyper-parameters (grid keys) to set.
        spec (RunSpec): Data, schedule, size and seed of the run.
        extra_hooks (list[dict], optional): Custom hooks appended after
            the config's own.

    Returns:
        dict: Options for ``Config.merge_from_dict``; ``custom_hooks`` is
        the config's list with the hook arguments of ``params`` set.
    """
    hooks = copy.deepcopy(list(cfg.get('custom_hooks', [])))
    w, e = spec.width, spec.epochs
    opts = {
        'randomness.seed': spec.seed,
        'train_cfg.max_epochs': e,
        'train_cfg.val_interval': spec.val_interval,
        'param_scheduler.0.end': e,
        'param_scheduler.0.T_max': e,
        'default_hooks.checkpoint': None,
        'default_hooks.logger.interval': 10**6,
        'log_level': 'WARNING',
        'model.head.num_classes': spec.num_target,
        'data_preprocessor.num_classes': spec.num_target,
        'model.backbone.stem_channels': w,
        'model.backbone.base_channels': w,
        'model.head.in_channels': 8 * w,
        'train_dataloader.batch_size': spec.batch_size,
        'train_dataloader.num_workers': spec.workers,
        'val_dataloader.num_workers': spec.workers,
        'val_dataloader.dataset.data_root': spec.eval_root,
        'val_dataloader.dataset.split': 'test',
        'test_dataloader.num_workers': spec.workers,
        'test_dataloader.dataset.data_root': spec.eval_root,
        # serialising a dataset for loader workers runs gc.collect()
        'val_dataloader.dataset.serialize_data': False,
        'test_dataloader.dataset.serialize_data': False,
    }
    for loader in ('train', 'val', 'test'):
        opts[f'{loader}_dataloader.persistent_workers'] = spec.workers > 0
    if method.pretrained:
        opts['model.backbone.init_cfg.checkpoint'] = spec.checkpoint
    else:
        opts['model.backbone.init_cfg'] = None
    if 'source_head' in cfg.model:
        opts['model.source_head.num_classes'] = spec.num_source
        opts['model.source_head.in_channels'] = 8 * w
    if uses_source(cfg):
        # SourceTargetDataset prepares the source samples on their own
        # random stream: the target augmentations stay plain's
        opts.update({
            'train_dataloader.dataset.target.data_root': spec.target_root,
            'train_dataloader.dataset.source.data_root': spec.source_root,
            SOURCE_BATCH_KEY: spec.source_batch_size or spec.batch_size,
            'train_dataloader.dataset.target.serialize_data': False,
            'train_dataloader.dataset.source.serialize_data': False,
        })
    else:
        opts['train_dataloader.dataset.data_root'] = spec.target_root
        opts['train_dataloader.dataset.serialize_data'] = False
    for key, value in params.items():
        if '.' in key and key.split('.', 1)[0][:1].isupper():
            _set_hook_arg(hooks, key, value)
        else:
            opts[key] = value
    opts['custom_hooks'] = hooks + list(extra_hooks or [])
    return opts
