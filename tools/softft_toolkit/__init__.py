"""Helpers of the demo and benchmarks in ``tools/`` (not the plugin).

Write real images in the on-disk layouts mmpretrain reads, run a training job
in-process, summarise paired results, and launch CPU-only distributed runs.
``python tools/<script>.py`` finds this package beside the script; the test
suite adds ``tools/`` to the path (pytest.ini).
"""
from .digits import load_digit_images, write_digits_source, write_digits_target
from .layouts import write_cub_layout, write_imagenet_layout
from .train_job import run_training

__all__ = [
    'load_digit_images', 'run_training', 'write_cub_layout',
    'write_digits_source', 'write_digits_target', 'write_imagenet_layout'
]
