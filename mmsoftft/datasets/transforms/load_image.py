"""Image loading whose every failure names the file."""
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmpretrain.registry import TRANSFORMS

__all__ = ['CheckedLoadImageFromFile']


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile``, raising ``OSError`` naming the file.

    mmcv's loader lets some failures through without the path: a zero-byte
    file gives ``cv2.error ... !buf.empty()``, the pillow backend a bare
    decoder error. Here every failure to read or decode an image becomes
    ``OSError('Cannot read image <path>: <reason>')``: in a training set
    wrapped by :class:`SourceTargetDataset` the sample is skipped and
    counted; anywhere else (plain fine-tuning, validation, test) it stops
    with that message. An image already loaded (``img`` without
    ``img_path``, as mmpretrain's inferencers pass it, which remove only a
    step named ``LoadImageFromFile``) passes through unchanged. Same
    arguments as ``LoadImageFromFile``.

    Why not mmcv's ``LoadImageFromFile(ignore_empty=True)`` with mmengine's
    ``max_refetch``: that pair also replaces an unreadable training image,
    but silently (no file named, no count), it may draw the same bad file
    again, it swallows every error of the loader alike, and at test time
    mmengine stops with "Test time pipeline should not get None" without
    the file. Here the error names the file; :class:`SourceTargetDataset`
    replaces it by a sample of the same domain that has not failed, and
    :class:`SkippedImageHook` counts the skipped files in the log.
    """

    def transform(self, results: dict) -> Optional[dict]:
        """Load the image of ``results['img_path']``."""
        if 'img' in results and results.get('img_path') is None:
            return results
        try:
            return super().transform(results)
        except Exception as e:
            raise OSError(f'Cannot read image {results.get("img_path")}: '
                          f'{type(e).__name__}: {e}') from e
