"""mmengine's TestLoop with a chosen autocast dtype."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.runner import TestLoop, autocast
from mmengine.runner.loops import _update_losses
from mmpretrain.registry import LOOPS
from torch.utils.data import DataLoader

__all__ = ['AmpTestLoop']

DTYPES = ('float16', 'bfloat16')


@LOOPS.register_module()
class AmpTestLoop(TestLoop):
    """``TestLoop`` whose mixed precision uses ``dtype``.

    mmengine's ``TestLoop(fp16=True)`` autocasts to the device's default
    (float16 on CUDA); ``tools/test.py --amp --amp-dtype bfloat16`` sets
    ``test_cfg=dict(type='AmpTestLoop', fp16=True, dtype='bfloat16')``, the
    dtype ``tools/train.py --amp --amp-dtype`` trains with.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The test dataloader or its config.
        evaluator (Evaluator | dict | list): The evaluator or its config.
        fp16 (bool): Run the model under autocast. Defaults to True.
        dtype (str, optional): ``'float16'`` or ``'bfloat16'``; None is
            the device's default. Defaults to None.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Dict, List],
                 fp16: bool = True,
                 dtype: Optional[str] = None):
        if dtype is not None and dtype not in DTYPES:
            raise ValueError(f'`dtype` should be one of {DTYPES} or None, '
                             f'but got {dtype!r}')
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.dtype = dtype

    @torch.no_grad()
    def run_iter(self, idx, data_batch: Sequence[dict]) -> None:
        """Iterate one mini-batch, as ``TestLoop`` but for the dtype."""
        self.runner.call_hook(
            'before_test_iter', batch_idx=idx, data_batch=data_batch)
        dtype = None if self.dtype is None else getattr(torch, self.dtype)
        with autocast(enabled=self.fp16, dtype=dtype):
            outputs = self.runner.model.test_step(data_batch)
        outputs, self.test_loss = _update_losses(outputs, self.test_loss)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(
            'after_test_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=outputs)
