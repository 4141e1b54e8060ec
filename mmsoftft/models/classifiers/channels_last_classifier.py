"""mmpretrain's ImageClassifier with channels_last weights."""
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS

from ..utils import to_channels_last

__all__ = ['ChannelsLastImageClassifier']


@MODELS.register_module()
class ChannelsLastImageClassifier(ImageClassifier):
    """:class:`ImageClassifier` whose weights use ``channels_last`` memory.

    The same module and state-dict keys as ``ImageClassifier`` (its
    checkpoints load into either), so the plain fine-tuning baseline runs in
    the layout ``SoftFineTuneClassifier(channels_last=True)`` uses.
    ``tools/train.py --channels-last`` switches an ``ImageClassifier``
    config to it.

    Args:
        channels_last (bool): Convert the weights. Defaults to True.
        **kwargs: ``ImageClassifier``'s arguments.
    """

    def __init__(self, channels_last: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.channels_last = channels_last
        to_channels_last(self, channels_last)
