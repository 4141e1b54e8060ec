# Runtime of the CPU demo: the plugin's runtime, gloo for multi-process
# runs on CPU, fixed seed, frequent logs.
_base_ = ['./softft_runtime.py']
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
default_hooks = dict(logger=dict(interval=10))
