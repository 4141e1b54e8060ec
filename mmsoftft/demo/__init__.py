from .digits import load_digit_images, write_digits_source, write_digits_target
from .layouts import write_cub_layout, write_imagenet_layout
from .train_job import run_training

__all__ = [
    'load_digit_images', 'run_training', 'write_cub_layout',
    'write_digits_source', 'write_digits_target', 'write_imagenet_layout'
]
