# Runtime of the CPU demo: the plugin's runtime (seed 0), gloo for
# multi-process runs on CPU, frequent logs.
_base_ = ['./softft_runtime.py']
env_cfg = dict(dist_cfg=dict(backend='gloo'))
default_hooks = dict(logger=dict(interval=10))
