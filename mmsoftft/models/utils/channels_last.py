"""channels_last weights for any classifier (faster convolutions under AMP
on recent NVIDIA GPUs, and on many CPUs)."""
import torch
import torch.nn as nn

__all__ = ['to_channels_last', 'use_channels_last']

# the plugin's classifiers, which take `channels_last`
LAYOUT_MODELS = ('SoftFineTuneClassifier', 'ChannelsLastImageClassifier',
                 'L2SPClassifier', 'LwFClassifier', 'LPFTClassifier',
                 'CoTuningClassifier')


def to_channels_last(module: nn.Module, enabled: bool = True) -> nn.Module:
    """Put the 4-D weights of ``module`` in ``channels_last`` memory format.

    Call it when the model is built, before the Runner wraps it in DDP.
    Loading a state dict afterwards (``Pretrained`` init_cfg, ``--resume``)
    copies into the existing layout, so it is kept.

    Args:
        module (nn.Module): The model, converted in place.
        enabled (bool): Convert only if True. Defaults to True.

    Returns:
        nn.Module: ``module``.
    """
    if enabled:
        module.to(memory_format=torch.channels_last)
    return module


def use_channels_last(model_cfg: dict) -> dict:
    """Switch a model config to ``channels_last`` weights, in place: what
    ``tools/train.py --channels-last`` does. An ``ImageClassifier`` becomes
    a ``ChannelsLastImageClassifier`` (same keys and checkpoints); the
    plugin's classifiers (``SoftFineTuneClassifier``,
    ``ChannelsLastImageClassifier``, ``L2SPClassifier``, ``LwFClassifier``)
    get ``channels_last=True``.

    Raises:
        ValueError: For any other ``model.type``, naming it.
    """
    model_type = model_cfg.get('type')
    if model_type == 'ImageClassifier':  # the plain fine-tuning baseline
        model_cfg['type'] = 'ChannelsLastImageClassifier'
    elif model_type not in LAYOUT_MODELS:
        raise ValueError(
            '--channels-last needs model.type ImageClassifier or one of '
            f'{", ".join(LAYOUT_MODELS)}, but got {model_type!r}')
    model_cfg['channels_last'] = True
    return model_cfg
