"""The README's TensorBoard option works through tools/train.py's
--cfg-options (mmengine's DictAction): the run writes TensorBoard event
files holding the soft fine-tuning scalars."""
import glob
import os.path as osp

from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)

from ..conftest import dump_tool_config, repo_path, run_tool, softft_cfg

# DictAction cannot parse `vis_backends=[dict(type=...)]` (the dict stays a
# string); indexing the list element replaces mmpretrain's LocalVisBackend.
TENSORBOARD_OPTION = 'visualizer.vis_backends.0.type=TensorboardVisBackend'


def test_tensorboard_backend_from_the_command_line(tiny_data, pretrained_ckpt,
                                                   tmp_path):
    work = tmp_path / 'work'
    config = dump_tool_config(
        softft_cfg(tiny_data, pretrained_ckpt, work, max_epochs=1),
        tmp_path / 'softft_tiny.py')
    run_tool(repo_path('tools/train.py'), config, '--cfg-options',
             TENSORBOARD_OPTION)
    events = glob.glob(
        osp.join(str(work), '**', 'events.out.tfevents.*'), recursive=True)
    assert len(events) == 1
    scalars = EventAccumulator(events[0])
    scalars.Reload()
    tags = set(scalars.Tags()['scalars'])
    assert {'loss', 'loss_target', 'loss_source', 'source_weight',
            'accuracy/top1'} <= tags
    assert scalars.Scalars('source_weight')[0].value == 1.0
