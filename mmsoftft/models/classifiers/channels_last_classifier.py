"""mmpretrain's ImageClassifier with channels_last weights (plain
fine-tuning at the same speed options as soft fine-tuning)."""
import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS

__all__ = ['ChannelsLastImageClassifier']


@MODELS.register_module()
class ChannelsLastImageClassifier(ImageClassifier):
    """:class:`ImageClassifier` whose weights use ``channels_last`` memory.

    The same module and state-dict keys as ``ImageClassifier`` (its
    checkpoints load into either), so the plain fine-tuning baseline can
    run with the layout ``SoftFineTuneClassifier(channels_last=True)`` uses.
    ``tools/train.py --channels-last`` switches an ``ImageClassifier`` config
    to it. Conversion happens at build time, before the Runner wraps the
    model in DDP; the weights keep the layout through ``init_weights``.

    Args:
        channels_last (bool): Convert the weights. Defaults to True.
        **kwargs: ``ImageClassifier``'s arguments.
    """

    def __init__(self, channels_last: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)

    def init_weights(self) -> None:
        """Initialise (e.g. ``Pretrained`` init_cfg), keep the layout."""
        super().init_weights()
        if self.channels_last:
            self.to(memory_format=torch.channels_last)
