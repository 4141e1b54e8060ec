"""AmpTestLoop: the model runs under autocast with the configured dtype
(mmengine's TestLoop only knows the device's default), in a real Runner."""
import pytest
import torch
from mmengine.runner import Runner

from mmsoftft.engine import AmpTestLoop

from ...conftest import softft_cfg


def autocast_seen(runner):
    """(enabled, dtype) of CPU autocast inside the model's forward, per
    test batch."""
    seen = []
    model = runner.model

    def record(module, args):
        seen.append((torch.is_autocast_enabled('cpu'),
                     torch.get_autocast_dtype('cpu')))

    model.backbone.register_forward_pre_hook(record)
    return seen


@pytest.mark.parametrize('test_cfg, want', [
    (dict(type='AmpTestLoop', dtype='bfloat16'), (True, torch.bfloat16)),
    (dict(type='AmpTestLoop', fp16=False, dtype='bfloat16'),
     (False, None)),
    (dict(), (False, None)),  # mmengine's TestLoop without fp16
])
def test_model_runs_under_the_dtype(test_cfg, want, tiny_data,
                                    pretrained_ckpt, tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1)
    cfg.test_cfg = test_cfg
    runner = Runner.from_cfg(cfg)
    seen = autocast_seen(runner)
    metrics = runner.test()
    assert 'accuracy/top1' in metrics
    assert seen and {s[0] for s in seen} == {want[0]}
    if want[0]:
        assert {s[1] for s in seen} == {want[1]}
    if test_cfg:
        assert isinstance(runner.test_loop, AmpTestLoop)


def test_bad_dtype_is_refused(tiny_data, pretrained_ckpt, tmp_path):
    cfg = softft_cfg(tiny_data, pretrained_ckpt, tmp_path, max_epochs=1)
    cfg.test_cfg = dict(type='AmpTestLoop', dtype='float64')
    with pytest.raises(ValueError, match="`dtype` should be one of "
                       r"\('float16', 'bfloat16'\) or None, but got "
                       "'float64'"):
        Runner.from_cfg(cfg).test()
