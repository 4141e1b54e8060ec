"""Silence two warnings of MMPretrain's dependencies that say nothing
about the run.

- setuptools >= 80.9 warns that ``pkg_resources`` is deprecated each time
  mmengine's ``is_installed`` reloads it: once per ``mmpretrain::`` base
  of a config, so several times per training log.
- ``mmcv-lite`` (the pure-Python mmcv that mmsoftft installs when no mmcv
  is present) has no compiled ops, and mmcv warns on import that
  ``MultiScaleDeformableAttention`` is missing; no mmpretrain classifier
  uses it.

Each filter matches one message (and, where the warning is attributed to
a fixed module, that module); every other warning is shown as before.
"""
import warnings

__all__ = ['KNOWN_WARNINGS', 'silence_known_warnings']

# (message regex, category, module regex): the arguments of
# warnings.filterwarnings. The pkg_resources warning is attributed to the
# module that imports or reloads it (mmengine, importlib), so no module.
KNOWN_WARNINGS = (
    (r'pkg_resources is deprecated as an API', UserWarning, ''),
    (r'Fail to import ``MultiScaleDeformableAttention``', UserWarning,
     r'mmcv\.cnn\.bricks\.transformer'),
)


def silence_known_warnings() -> None:
    """Ignore the warnings in :data:`KNOWN_WARNINGS` (idempotent)."""
    for message, category, module in KNOWN_WARNINGS:
        warnings.filterwarnings(
            'ignore', message=message, category=category, module=module)


# Before mmsoftft's other modules import mmpretrain (and with it mmcv).
silence_known_warnings()
