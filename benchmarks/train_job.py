"""Run one MMEngine training job from a config file, in this process."""
import copy
import os.path as osp
import time
from typing import Optional, Sequence, Union

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

__all__ = ['run_training']


def run_training(config: Union[str, Config],
                 work_dir: str,
                 cfg_options: Optional[dict] = None,
                 experiment_name: Optional[str] = None,
                 allow_divergence: bool = False,
                 hooks: Sequence[Hook] = ()) -> dict:
    """Train (and validate) with the ordinary ``Runner``, like tools/train.py.

    Args:
        config (str | Config): Config file path, or a loaded config (which
            is copied, not changed).
        work_dir (str): Where logs and checkpoints go.
        cfg_options (dict, optional): Overrides, as ``--cfg-options`` would.
        experiment_name (str, optional): Unique name of this run (several
            runners in one process need distinct names).
        allow_divergence (bool): True ends training at a non-finite loss
            (``FiniteLossHook``'s ``FloatingPointError``) and returns what
            was measured until then, with the error message as
            ``diverged``; False raises it. Defaults to False.
        hooks (Sequence[Hook]): Hook objects registered on the built
            runner beside the config's (e.g. one holding images in
            memory). Defaults to none.

    Returns:
        dict: ``metrics`` (last validation metrics, may be empty),
        ``history`` (each metric at every validation), ``checkpoint``
        (path of the last checkpoint), ``seconds`` (wall time of
        ``runner.train()``), ``diverged`` (None, or the message of a
        non-finite loss) and ``runner``.
    """
    cfg = copy.deepcopy(config) if isinstance(config, Config) else \
        Config.fromfile(config)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    if experiment_name is not None:
        cfg.experiment_name = experiment_name
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    runner = Runner.from_cfg(cfg)
    for hook in hooks:
        runner.register_hook(hook)
    start = time.perf_counter()
    diverged = None
    try:
        runner.train()
    except FloatingPointError as e:
        if not allow_divergence:
            raise
        diverged = str(e)
    seconds = time.perf_counter() - start
    # Every validation appended its metrics to the message hub's history.
    history = {
        key[len('val/'):]: [float(v) for v in buf.data[0]]
        for key, buf in runner.message_hub.log_scalars.items()
        if key.startswith('val/') and key not in ('val/time',
                                                  'val/data_time')
    }
    last = osp.join(work_dir, 'last_checkpoint')
    checkpoint = open(last).read().strip() if osp.exists(last) else None
    return dict(
        metrics={k: v[-1] for k, v in history.items()},
        history=history,
        checkpoint=checkpoint,
        seconds=seconds,
        diverged=diverged,
        runner=runner)
