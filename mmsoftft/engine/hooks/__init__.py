from .atomic_checkpoint_hook import AtomicCheckpointHook
from .co_tuning_hook import CoTuningHook
from .finite_loss_hook import FiniteLossHook
from .l2sp_hook import L2SPHook
from .linear_probe_hook import LinearProbeHook
from .loader_shutdown_hook import LoaderShutdownHook
from .skipped_image_hook import SkippedImageHook
from .soft_finetune_hook import SoftFineTuneHook

__all__ = [
    'AtomicCheckpointHook', 'CoTuningHook', 'FiniteLossHook', 'L2SPHook',
    'LinearProbeHook', 'LoaderShutdownHook', 'SkippedImageHook',
    'SoftFineTuneHook'
]
