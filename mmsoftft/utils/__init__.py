from .checkpoint_check import (
    check_checkpoints,
    find_checkpoints,
    url_cache_file,
)
from .cpu_distributed import setup_cpu_distributed

__all__ = [
    'check_checkpoints', 'find_checkpoints', 'setup_cpu_distributed',
    'url_cache_file'
]
