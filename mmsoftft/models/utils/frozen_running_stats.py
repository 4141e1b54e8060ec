"""BatchNorm that normalises with batch statistics but leaves its running
statistics alone."""
from contextlib import contextmanager
from typing import Iterator, Optional

import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

__all__ = ['frozen_running_stats']


@contextmanager
def frozen_running_stats(*modules: Optional[nn.Module]) -> Iterator[None]:
    """Within the context, no BatchNorm layer of ``modules`` updates its
    running statistics.

    A layer in train mode still normalises with the statistics of the batch
    it is given, but ``running_mean``, ``running_var`` and
    ``num_batches_tracked`` stay as they are: the layers' own
    ``track_running_stats=False`` path (``torch.nn.functional.batch_norm``
    without running buffers), so no buffer is copied and a batch of
    non-finite values cannot reach them. A layer in eval mode normalises
    with its running statistics, as outside the context. Every layer
    tracks its statistics again on leaving, also after an exception.

    Args:
        *modules (nn.Module, optional): Modules whose BatchNorm layers
            (``torch.nn`` ``_BatchNorm``, SyncBatchNorm included) are
            frozen; None entries (e.g. no neck) are skipped.
    """
    norms = [
        m for module in modules if module is not None
        for m in module.modules()
        if isinstance(m, _BatchNorm) and m.track_running_stats
    ]
    for norm in norms:
        norm.track_running_stats = False
    try:
        yield
    finally:
        for norm in norms:
            norm.track_running_stats = True
