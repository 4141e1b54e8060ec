"""Checkpoints load with torch's weights_only=True plus an explicit
allow-list; anything else is refused before it can run."""
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

from mmsoftft.engine.safe_globals import (
    allow_checkpoint_globals,
    history_buffer_getattr,
)


class Payload:
    """Unpickling this would create a file: the code-execution probe."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


class Legacy:
    """A type a trusted legacy checkpoint might hold."""

    def __init__(self, value=1):
        self.value = value


class EscapeAttempt:
    """Pickles as getattr(HistoryBuffer, '__init__')."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


@pytest.fixture
def restore_safe_globals():
    saved = list(torch.serialization.get_safe_globals())
    yield
    torch.serialization.clear_safe_globals()
    torch.serialization.add_safe_globals(saved)


def test_mmengine_runtime_state_loads_weights_only(tmp_path):
    buf = HistoryBuffer()
    buf.update(0.5)
    buf.update(0.25)
    ckpt = dict(
        state_dict=dict(w=torch.ones(2)),
        message_hub=dict(log_scalars={'train/loss': buf},
                         runtime_info=dict(eta=np.float64(3.5),
                                           seed=np.int64(7))),
        meta=dict(arr=np.arange(3)))
    torch.save(ckpt, tmp_path / 'c.pth')
    out = torch.load(tmp_path / 'c.pth', weights_only=True)
    loaded = out['message_hub']['log_scalars']['train/loss']
    assert isinstance(loaded, HistoryBuffer)
    assert loaded.mean() == pytest.approx(0.375)
    assert loaded.statistics('max') == 0.5
    assert out['message_hub']['runtime_info']['eta'] == 3.5
    assert (out['meta']['arr'] == np.arange(3)).all()


def test_code_running_checkpoint_is_refused_and_runs_nothing(tmp_path):
    probe = tmp_path / 'pwned'
    torch.save(dict(state_dict={}, meta=Payload(str(probe))),
               tmp_path / 'evil.pth')
    with pytest.raises(pickle.UnpicklingError) as e:
        _load_checkpoint(str(tmp_path / 'evil.pth'), map_location='cpu')
    assert 'open' in str(e.value)
    assert not probe.exists()


def test_getattr_is_restricted_to_history_buffer_statistics(tmp_path):
    assert history_buffer_getattr(HistoryBuffer, 'mean') is \
        HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError, match='Refused getattr'):
        history_buffer_getattr(os, 'system')
    torch.save(dict(x=EscapeAttempt()), tmp_path / 'g.pth')
    with pytest.raises(pickle.UnpicklingError, match='Refused getattr'):
        torch.load(tmp_path / 'g.pth', weights_only=True)


def test_legacy_types_are_an_explicit_opt_in(tmp_path, restore_safe_globals):
    torch.save(dict(meta=Legacy(5)), tmp_path / 'legacy.pth')
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / 'legacy.pth', weights_only=True)
    allow_checkpoint_globals([f'{__name__}.Legacy'])
    assert torch.load(tmp_path / 'legacy.pth',
                      weights_only=True)['meta'].value == 5


def test_opt_in_with_a_bad_name():
    with pytest.raises(ValueError, match="'no.such.Type' cannot be imported"):
        allow_checkpoint_globals(['no.such.Type'])
