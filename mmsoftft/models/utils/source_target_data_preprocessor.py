"""mmpretrain's classification preprocessor for source/target batches whose
two domains may have different image sizes."""
from collections.abc import Mapping
from typing import List, Optional

from mmpretrain.models.utils import ClsDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

__all__ = ['SourceTargetDataPreprocessor']

DOMAINS = ('target', 'source')


@MODELS.register_module()
class SourceTargetDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that never pads source images to the
    target images' size, nor target images to the source images'.

    The default preprocessor of :class:`SoftFineTuneClassifier`; its
    arguments and config keys are ``ClsDataPreprocessor``'s (``mean``,
    ``std``, ``to_rgb``, ``num_classes``...). It takes three forms of
    ``inputs``:

    - one tensor (``default_collate``, or ``stack_collate`` when every image
      of the batch has one size), and any batch without both domains
      (validation, test, or training after the source weight reached 0):
      exactly as ``ClsDataPreprocessor``;
    - ``dict(target=..., source=...)``, what ``stack_collate`` gives when the
      target images share one size and the source images another (the
      ``data_samples`` list holds the target samples, then the source
      samples): each part is processed as ``ClsDataPreprocessor`` processes
      a batch (BGR to RGB, normalised; a list part padded within itself);
    - a list of images of different sizes holding both domains
      (``pseudo_collate``): grouped by the samples' ``domain`` into the dict
      form, the samples reordered target first.

    The dict form comes out as ``dict(target=Tensor, source=Tensor)``, each
    of its own size, for the separate source pass of
    :class:`SoftFineTuneClassifier` (``source_forward='separate'``); the
    joint pass refuses two sizes.

    Args:
        **kwargs: ``ClsDataPreprocessor``'s arguments, checked there.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise each domain's images without padding one domain to
        the other's size.

        Args:
            data (dict): ``inputs`` and ``data_samples`` from the loader.
            training (bool): Whether to enable training time augmentation.
                Defaults to False.

        Returns:
            dict: ``inputs`` (a tensor, or ``dict(target=Tensor,
            source=Tensor)``) and ``data_samples``.

        Raises:
            ValueError: If dict inputs do not have exactly the keys
                ``target`` and ``source``, or the samples are not the target
                samples followed by the source samples.
        """
        inputs, samples = data['inputs'], data.get('data_samples')
        if isinstance(inputs, Mapping):
            parts = self._dict_parts(inputs, samples)
        elif self._mixed_sizes(inputs, samples):
            parts = {
                domain: (
                    [x for x, s in zip(inputs, samples)
                     if s.get('domain') == domain],
                    [s for s in samples if s.get('domain') == domain])
                for domain in DOMAINS
            }
        else:
            return super().forward(data, training)
        images, ordered = {}, []
        for domain in DOMAINS:
            part, part_samples = parts[domain]
            out = super().forward(
                dict(inputs=part, data_samples=part_samples), training)
            images[domain] = out['inputs']
            ordered.extend(out['data_samples'])
        return dict(inputs=images, data_samples=ordered)

    @staticmethod
    def _mixed_sizes(inputs, samples: Optional[List[DataSample]]) -> bool:
        """Whether ``inputs`` is a list of images of more than one size
        whose samples hold both domains."""
        if not isinstance(inputs, (list, tuple)) or not samples:
            return False
        if len({tuple(x.shape) for x in inputs}) < 2:
            return False
        domains = {s.get('domain') for s in samples}
        return domains == set(DOMAINS)

    @staticmethod
    def _dict_parts(inputs: Mapping,
                    samples: Optional[List[DataSample]]) -> dict:
        """``{domain: (images, samples)}`` of dict inputs, checked."""
        if set(inputs) != set(DOMAINS):
            raise ValueError(
                'SourceTargetDataPreprocessor takes dict inputs with the keys '
                f"'target' and 'source', but got {sorted(inputs)}")
        num_target = len(inputs['target'])
        domains = [s.get('domain') for s in samples or []]
        want = ['target'] * num_target + ['source'] * len(inputs['source'])
        if domains != want:
            raise ValueError(
                'With dict inputs the data samples must be the '
                f'{num_target} target samples followed by the '
                f"{len(inputs['source'])} source samples (as stack_collate "
                f'gives them), but their domains are {domains}')
        return dict(target=(inputs['target'], samples[:num_target]),
                    source=(inputs['source'], samples[num_target:]))
