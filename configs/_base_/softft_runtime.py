# mmpretrain's default runtime with the plugin loaded and crash-safe
# checkpoint saving (no truncated latest checkpoint for --resume).
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(imports=['mmsoftft'], allow_failed_imports=False)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))
