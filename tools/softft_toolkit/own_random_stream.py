"""A transform wrapper whose random augmentations use their own stream."""
from typing import List, Optional

from mmcv.transforms import BaseTransform, Compose
from mmpretrain.registry import TRANSFORMS

from mmsoftft.datasets.random_stream import RandomStream

__all__ = ['OwnRandomStream']


@TRANSFORMS.register_module()
class OwnRandomStream(BaseTransform):
    """Run ``transforms`` on their own NumPy and Python random streams.

    mmcv's random transforms (``RandomCrop``, ``RandomFlip``...) draw from
    the process-global ``np.random`` / ``random``. A loader that prepares
    target and source samples in one process therefore makes the target
    images' augmentations depend on how many source images came before
    them, so soft fine-tuning would see other target crops than plain
    fine-tuning on the same target batches. Wrapping the *source* pipeline
    in this transform leaves the global streams, and so the target
    augmentations, exactly as in a run without source images; the source
    images get the same kind of augmentation from a stream of their own.

    ``SourceTargetDataset`` already prepares source samples this way; this
    transform does the same for any pipeline (mmsoftft's
    :class:`RandomStream` around the wrapped transforms).

    Args:
        transforms (list[dict]): The wrapped pipeline.
        seed (int): Seed of the stream. Defaults to 0.
    """

    def __init__(self, transforms: List[dict], seed: int = 0):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError('`transforms` should be a list of transform '
                            f'configs, but got {type(transforms).__name__}')
        self.transforms = Compose(list(transforms))
        self.seed = seed
        self.stream = RandomStream(seed)

    def transform(self, results: dict) -> Optional[dict]:
        """Apply the wrapped pipeline with the own streams swapped in."""
        with self.stream:
            return self.transforms(results)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(seed={self.seed}, '
                f'transforms={self.transforms!r})')
