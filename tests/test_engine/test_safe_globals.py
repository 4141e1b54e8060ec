"""Checkpoints load with torch's weights_only=True plus an explicit
allow-list; anything else is refused before it can run."""
import argparse
import collections
import json
import os
import pickle
import re
import subprocess
import sys
import types

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
    """Documents torch's own behaviour: ``weights_only`` refuses ``open``
    (only disabling ``weights_only`` or allow-listing ``open`` could change
    it). The project's allow-list is pinned by
    ``test_mmsoftft_registers_exactly_the_listed_globals`` and
    ``test_unlisted_harmless_types_are_still_refused``."""
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


# Records what mmsoftft's own modules add to torch's allow-list on import.
RECORD_REGISTRATIONS = """
import inspect, json
import torch

added = []
real_add = torch.serialization.add_safe_globals


def recording_add(items):
    caller = inspect.currentframe().f_back.f_globals.get('__name__', '')
    if caller.split('.')[0] == 'mmsoftft':
        added.extend(items)
    return real_add(items)


torch.serialization.add_safe_globals = recording_add
import mmsoftft  # noqa: E402
pairs = []
for item in added:
    obj, name = item if isinstance(item, tuple) else (item, None)
    impl = f'{obj.__module__}.{obj.__qualname__}'
    pairs.append((name or impl, impl))
print(json.dumps(sorted(pairs)))
"""


def test_mmsoftft_registers_exactly_the_listed_globals():
    """Widening the allow-list (any further type, or the real ``getattr``)
    fails here."""
    proc = subprocess.run([sys.executable, '-W', 'ignore', '-c',
                           RECORD_REGISTRATIONS],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    registered = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    dtypes = getattr(np, 'dtypes', None)
    expected = {
        'mmengine.logging.history_buffer.HistoryBuffer', 'builtins.getattr',
        'numpy.ndarray', 'numpy.dtype',
        'numpy.core.multiarray._reconstruct',
        'numpy._core.multiarray._reconstruct',
        'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar'
    } | {  # numpy's DType classes (their aliases name the same classes)
        f'{cls.__module__}.{cls.__qualname__}'
        for cls in (getattr(dtypes, name) for name in dir(dtypes or object)
                    if name.endswith('DType'))
    }
    assert set(registered) == expected
    assert registered['builtins.getattr'] == \
        'mmsoftft.engine.safe_globals.history_buffer_getattr'
    for name, impl in registered.items():
        if name != 'builtins.getattr':  # each object is what it is named
            assert impl.replace('numpy._core', 'numpy.core') == \
                name.replace('numpy._core', 'numpy.core')


class NamedState(collections.OrderedDict):
    """Harmless, but a subclass of an allowed type: not allowed itself."""


@pytest.mark.parametrize('value, name', [
    (argparse.Namespace(lr=0.1), 'argparse.Namespace'),
    (NamedState(a=1), f'{__name__}.NamedState'),
    (types.SimpleNamespace(a=1), 'types.SimpleNamespace'),
])
def test_unlisted_harmless_types_are_still_refused(tmp_path, value, name):
    torch.save(dict(state_dict={}, meta=dict(extra=value)),
               tmp_path / 'c.pth')
    with pytest.raises(pickle.UnpicklingError, match=re.escape(name)):
        _load_checkpoint(str(tmp_path / 'c.pth'), map_location='cpu')
