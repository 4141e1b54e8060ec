"""mmpretrain's ImageClassifier with channels_last weights."""
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS

from ..utils import PredFeatMixin, to_channels_last

__all__ = ['ChannelsLastImageClassifier']


@MODELS.register_module()
class ChannelsLastImageClassifier(PredFeatMixin, ImageClassifier):
    """:class:`ImageClassifier` whose weights may use ``channels_last``
    memory.

    The same module and state-dict keys as ``ImageClassifier`` (its
    checkpoints load into either), so the plain fine-tuning baseline runs in
    the layout ``SoftFineTuneClassifier(channels_last=True)`` uses.
    ``tools/train.py --channels-last`` switches an ``ImageClassifier``
    config to it; the shipped ResNet-50 plain config builds it with
    ``channels_last=False`` (then it is ``ImageClassifier``), so
    ``--cfg-options model.channels_last=True`` works there as on the soft
    config.

    Args:
        channels_last (bool): Convert the weights. Defaults to True.
        predict_feat (bool): In ``predict`` mode, also put the features
            fed to the head into each prediction (``pred_feat``).
            Defaults to False.
        **kwargs: ``ImageClassifier``'s arguments.
    """

    def __init__(self,
                 channels_last: bool = True,
                 predict_feat: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        self.channels_last = channels_last
        self.predict_feat = predict_feat
        to_channels_last(self, channels_last)
