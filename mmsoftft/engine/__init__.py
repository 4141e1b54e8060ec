from .hooks import (
    AtomicCheckpointHook,
    CoTuningHook,
    FiniteLossHook,
    L2SPHook,
    LinearProbeHook,
    LoaderShutdownHook,
    SkippedImageHook,
    SoftFineTuneHook,
)
from .loader_shutdown import (
    read_shutdown_line,
    shutdown_loader_workers,
    shutdown_runner_loaders,
)
from .runner import AmpTestLoop
from .safe_globals import allow_checkpoint_globals, register_safe_globals
from .schedules import SourceWeightSchedule

__all__ = [
    'AmpTestLoop', 'AtomicCheckpointHook', 'CoTuningHook', 'FiniteLossHook',
    'L2SPHook', 'LinearProbeHook', 'LoaderShutdownHook', 'SkippedImageHook',
    'SoftFineTuneHook', 'SourceWeightSchedule', 'allow_checkpoint_globals',
    'read_shutdown_line', 'register_safe_globals', 'shutdown_loader_workers',
    'shutdown_runner_loaders'
]
