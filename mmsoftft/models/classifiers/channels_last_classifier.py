"""mmpretrain's ImageClassifier with channels_last weights (plain
fine-tuning at the same speed options as soft fine-tuning)."""
import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS

__all__ = ['ChannelsLastImageClassifier', 'use_channels_last']

LAYOUT_MODELS = ('SoftFineTuneClassifier', 'ChannelsLastImageClassifier')


@MODELS.register_module()
class ChannelsLastImageClassifier(ImageClassifier):
    """:class:`ImageClassifier` whose weights use ``channels_last`` memory.

    The same module and state-dict keys as ``ImageClassifier`` (its
    checkpoints load into either), so the plain fine-tuning baseline can
    run with the layout ``SoftFineTuneClassifier(channels_last=True)`` (a
    subclass) uses. ``tools/train.py --channels-last`` switches an
    ``ImageClassifier`` config to it. Conversion happens at build time,
    before the Runner wraps the model in DDP; the weights keep the layout
    through ``init_weights``.

    Args:
        channels_last (bool): Convert the weights. Defaults to True.
        **kwargs: ``ImageClassifier``'s arguments.
    """

    def __init__(self, channels_last: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.channels_last = channels_last
        self.keep_layout()

    def init_weights(self) -> None:
        """Initialise (e.g. ``Pretrained`` init_cfg), keep the layout."""
        super().init_weights()
        self.keep_layout()

    def keep_layout(self) -> None:
        """Put the weights in ``channels_last`` if enabled (loading a state
        dict afterwards copies into that layout)."""
        if self.channels_last:
            self.to(memory_format=torch.channels_last)


def use_channels_last(model_cfg: dict) -> dict:
    """Switch a model config to ``channels_last`` weights, in place: what
    ``tools/train.py --channels-last`` does. An ``ImageClassifier`` becomes
    a :class:`ChannelsLastImageClassifier`; ``SoftFineTuneClassifier`` and
    ``ChannelsLastImageClassifier`` get ``channels_last=True``.

    Raises:
        ValueError: For any other ``model.type``, naming it.
    """
    model_type = model_cfg.get('type')
    if model_type == 'ImageClassifier':  # the plain fine-tuning baseline
        model_cfg['type'] = 'ChannelsLastImageClassifier'
    elif model_type not in LAYOUT_MODELS:
        raise ValueError(
            '--channels-last needs model.type SoftFineTuneClassifier or '
            f'ImageClassifier, but got {model_type!r}')
    model_cfg['channels_last'] = True
    return model_cfg
