# Runtime of the CPU demo: mmpretrain's defaults, gloo for multi-process
# runs on CPU, fixed seed, frequent logs.
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(imports=['mmsoftft'], allow_failed_imports=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
default_hooks = dict(logger=dict(interval=10))
