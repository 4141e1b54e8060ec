"""The loader shutdown with pinned memory (a pin-memory thread exists only
with a GPU): run by tools/gpu_check.sh, skipped here."""
import pytest
import torch
from torch.utils.data import DataLoader

from mmsoftft.engine.loader_shutdown import shutdown_loader_workers

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason='needs a CUDA device')


def test_pinned_persistent_loader_stops_at_once():
    loader = DataLoader(torch.arange(64).view(16, 4), batch_size=4,
                        num_workers=4, persistent_workers=True,
                        pin_memory=True)
    assert all(batch.is_pinned() for batch in loader)
    it = loader._iterator
    thread, workers = it._pin_memory_thread, list(it._workers)
    assert thread.is_alive() and all(w.is_alive() for w in workers)
    report = shutdown_loader_workers([loader], timeout=3.0)
    assert report['workers'] == 4 and report['terminated'] == 0
    assert report['seconds'] < 2.0
    assert not thread.is_alive()
    assert not any(w.is_alive() for w in workers)
