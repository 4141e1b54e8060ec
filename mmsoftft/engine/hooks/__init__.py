from .atomic_checkpoint_hook import AtomicCheckpointHook
from .finite_loss_hook import FiniteLossHook
from .joint_training_hook import JointTrainingHook
from .l2sp_hook import L2SPHook
from .linear_probe_hook import LinearProbeHook
from .loader_shutdown_hook import LoaderShutdownHook
from .skipped_image_hook import SkippedImageHook
from .soft_finetune_hook import SoftFineTuneHook

__all__ = [
    'AtomicCheckpointHook', 'FiniteLossHook', 'JointTrainingHook',
    'L2SPHook', 'LinearProbeHook', 'LoaderShutdownHook', 'SkippedImageHook',
    'SoftFineTuneHook'
]
