from .digits import (load_digit_images, write_digits_source,
                     write_digits_target)
from .layouts import write_cub_layout, write_imagenet_layout

__all__ = [
    'load_digit_images', 'write_cub_layout', 'write_digits_source',
    'write_digits_target', 'write_imagenet_layout'
]
