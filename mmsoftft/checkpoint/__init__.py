from .safe_globals import (
                           allow_checkpoint_globals,
                           history_buffer_getattr,
                           register_safe_globals,
)

__all__ = [
    'allow_checkpoint_globals', 'history_buffer_getattr',
    'register_safe_globals'
]
