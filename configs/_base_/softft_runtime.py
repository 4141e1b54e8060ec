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
# One fixed seed for every shipped config (mmpretrain's runtime leaves it None:
# each run would draw its own). It pairs the methods: the same seed gives
# plain and soft fine-tuning the same target order (DefaultSampler), new
# head and loader-worker crops. It also makes --resume exact: the train
# sampler, and with it the source stream (SourceTargetBatchSampler takes
# the sampler's seed), is built before the checkpoint's seed is restored,
# so with seed=None the resumed run would shuffle with a new seed.
# Compare methods over several seeds: --cfg-options randomness.seed=S.
randomness = dict(seed=0, deterministic=False)
