# mmpretrain's default runtime with the plugin loaded, crash-safe checkpoint
# saving (no truncated latest checkpoint for --resume), a stop at the first
# non-finite loss, the count of skipped unreadable training images and the
# loaders' persistent workers stopped when the run ends (the process exits
# right after the last checkpoint). In `default_hooks`, a dict merged on
# inheritance: a derived config that replaces `custom_hooks` keeps them.
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(imports=['mmsoftft'], allow_failed_imports=False)
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook'),
    finite_loss=dict(type='FiniteLossHook'),
    skipped_images=dict(type='SkippedImageHook'),
    loader_shutdown=dict(type='LoaderShutdownHook'))
