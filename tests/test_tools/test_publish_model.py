"""tools/publish_model.py: a trained soft fine-tuning checkpoint, published,
loads and predicts in plain MMPretrain, in a process that never imports
mmsoftft; and tools/test.py reports the same top-1 for it with the plain
demo config as with the soft config."""
import copy
import glob
import hashlib
import json
import os
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain import ImageClassificationInferencer

from ..conftest import (
    dump_tool_config,
    load_tool,
    repo_path,
    run_tool,
    softft_cfg,
)


def publish_checkpoint(*args, **kwargs):
    """tools/publish_model.py's function, loaded from the script."""
    return load_tool('publish_model').publish_checkpoint(*args, **kwargs)


# Runs in a fresh interpreter in which importing mmsoftft is an error.
PLAIN_PROCESS = '''
import json, pickle, sys


class NoMmsoftft:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('mmsoftft', 'benchmarks'):
            raise ImportError(f'{name} imported in the plain process')


sys.meta_path.insert(0, NoMmsoftft())
try:  # the blocker works: mmsoftft (installed or not) cannot be imported
    import mmsoftft
    blocked = None
except ImportError as e:
    blocked = str(e)
import torch
from mmpretrain import ImageClassificationInferencer, init_model

config, raw, published, kept, images = sys.argv[1:6]
try:
    init_model(config, raw, device='cpu')
    raw_error = None
except pickle.UnpicklingError as e:
    raw_error = str(e)
print('LOADING PUBLISHED', flush=True)
model = init_model(config, published, device='cpu')
state = torch.load(published, weights_only=True)['state_dict']
differ = [k for k, v in model.state_dict().items()
          if k not in state or not torch.equal(v, state[k])]
print('LOADING KEPT', flush=True)  # the warning check can see them
init_model(config, kept, device='cpu')
print('PREDICTING', flush=True)
inferencer = ImageClassificationInferencer(config, pretrained=published,
                                           device='cpu')
preds = inferencer(images.split(','))
print()  # after the inferencer's progress bar, which ends no line
print(json.dumps(dict(
    blocked=blocked, raw_error=raw_error, differ=differ,
    model=type(model).__name__,
    labels=[int(p['pred_label']) for p in preds],
    scores=[[float(s) for s in p['pred_scores']] for p in preds],
    mmsoftft=sorted(m for m in sys.modules if m.startswith('mmsoftft')))))
'''


@pytest.fixture(scope='module')
def trained(tmp_path_factory, tiny_data, pretrained_ckpt):
    """A soft fine-tuning run of 1 epoch, its checkpoint published with
    the tool's command line."""
    root = tmp_path_factory.mktemp('publish')
    cfg = softft_cfg(tiny_data, pretrained_ckpt, root / 'work', max_epochs=1)
    Runner.from_cfg(cfg).train()
    raw = str(root / 'work' / 'epoch_1.pth')
    out = run_tool(repo_path('tools/publish_model.py'), raw,
                   str(root / 'softft_tiny.pth'))
    published = re.search(r'as (\S+-[0-9a-f]{8}\.pth)', out).group(1)
    config = re.search(r'Inference config \(plain mmpretrain\): (\S+)',
                       out).group(1)
    return dict(cfg=cfg, raw=raw, published=published, config=config,
                root=root, out=out)


def test_published_file_holds_weights_and_meta_only(trained):
    published = trained['published']
    data = open(published, 'rb').read()
    assert osp.basename(published) == \
        f'softft_tiny-{hashlib.sha256(data).hexdigest()[:8]}.pth'
    assert not glob.glob(osp.join(trained['root'], '*.part'))
    raw = torch.load(trained['raw'], weights_only=True)
    assert {'optimizer', 'message_hub'} <= set(raw)
    ckpt = torch.load(published, weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    # the source head is dropped by default, every other weight kept
    assert 'Dropped source_head.* ' in trained['out']
    assert any(k.startswith('source_head.') for k in raw['state_dict'])
    assert list(ckpt['state_dict']) == [
        k for k in raw['state_dict'] if not k.startswith('source_head.')]
    assert all(torch.equal(v, raw['state_dict'][k])
               for k, v in ckpt['state_dict'].items())
    assert ckpt['meta']['epoch'] == 1
    assert ckpt['meta']['dataset_meta'] == raw['meta']['dataset_meta']


def test_keep_source_head(trained, tmp_path):
    published, config, dropped = publish_checkpoint(
        trained['raw'], str(tmp_path / 'kept.pth'), keep_source_head=True)
    assert dropped == []
    raw = torch.load(trained['raw'], weights_only=True)['state_dict']
    ckpt = torch.load(published, weights_only=True)['state_dict']
    assert list(ckpt) == list(raw)
    assert config == str(tmp_path / 'kept_inference.py')


def test_refuses_what_it_cannot_publish(trained, tmp_path):
    torch.save(dict(state_dict={}, ema_state_dict={}), tmp_path / 'ema.pth')
    with pytest.raises(ValueError, match='holds EMA weights'):
        publish_checkpoint(str(tmp_path / 'ema.pth'), str(tmp_path / 'x.pth'))
    raw = torch.load(trained['raw'], weights_only=True)
    torch.save(dict(state_dict=raw['state_dict']), tmp_path / 'no_cfg.pth')
    with pytest.raises(ValueError, match='holds no training config'):
        publish_checkpoint(str(tmp_path / 'no_cfg.pth'),
                           str(tmp_path / 'x.pth'))
    # a config of another network: the weights would not load
    other = copy.deepcopy(trained['cfg'])
    other.model.head.num_classes = 5
    other_path = dump_tool_config(other, tmp_path / 'other.py')
    with pytest.raises(ValueError, match='do not match the inference model'):
        publish_checkpoint(trained['raw'], str(tmp_path / 'x.pth'),
                           config=other_path)
    other.model.type = 'TimmClassifier'
    other_path = dump_tool_config(other, tmp_path / 'timm.py')
    with pytest.raises(ValueError, match="`model.type` should be one of"):
        publish_checkpoint(trained['raw'], str(tmp_path / 'x.pth'),
                           config=other_path)
    torch.save(dict(state_dict=raw['state_dict'],
                    meta=dict(step=np.int64(3), cfg=raw['meta']['cfg'])),
               tmp_path / 'np.pth')
    with pytest.raises(ValueError, match='numpy') as e:
        publish_checkpoint(str(tmp_path / 'np.pth'), str(tmp_path / 'x.pth'))
    assert 'nothing was written' in str(e.value)
    assert not glob.glob(str(tmp_path / 'x*'))
    with pytest.raises(FileNotFoundError, match='no_dir'):
        publish_checkpoint(str(tmp_path / 'np.pth'),
                           str(tmp_path / 'no_dir' / 'x.pth'))


def test_inference_config_needs_nothing_of_the_plugin(trained):
    config = trained['config']
    assert config == osp.join(trained['root'], 'softft_tiny_inference.py')
    text = open(config).read()
    assert 'mmsoftft' not in text and 'custom_imports' not in text
    assert 'CheckedLoadImageFromFile' not in text
    assert 'SoftFineTuneHook' not in text and 'source_head' not in text
    cfg = Config.fromfile(config)
    assert cfg.model.type == 'ImageClassifier'
    soft = trained['cfg'].model
    for part in ('backbone', 'neck', 'head'):
        want = {k: v for k, v in soft[part].items() if k != 'init_cfg'}
        assert cfg.model[part] == want, part
    for key, value in trained['cfg'].data_preprocessor.items():
        assert cfg.data_preprocessor[key] == value, key  # mean, std, ...
    assert [s['type'] for s in cfg.test_dataloader.dataset.pipeline] == [
        'LoadImageFromFile', 'PackInputs']


def test_plain_mmpretrain_without_mmsoftft_loads_and_predicts(
        trained, tiny_data, tmp_path):
    config = trained['config']
    images = sorted(glob.glob(osp.join(tiny_data['target'], 'images', '*',
                                       '*')))[:9]
    kept, _, _ = publish_checkpoint(trained['raw'],
                                    str(tmp_path / 'kept.pth'),
                                    keep_source_head=True)
    script = tmp_path / 'plain_process.py'
    script.write_text(PLAIN_PROCESS)
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    proc = subprocess.run(
        [sys.executable, '-W', 'ignore', str(script), str(config),
         trained['raw'], trained['published'], kept, ','.join(images)],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    plain = json.loads(proc.stdout.strip().splitlines()[-1])
    assert plain['blocked'] == 'mmsoftft imported in the plain process'
    assert plain['mmsoftft'] == []
    assert plain['model'] == 'ImageClassifier'
    # the published weights load with no key warning at all
    log = proc.stdout + proc.stderr
    loading = log.split('LOADING PUBLISHED')[1].split('LOADING KEPT')[0]
    assert 'unexpected key' not in loading
    assert 'missing keys' not in loading
    # as they would be with the source head kept
    loading = log.split('LOADING KEPT')[1].split('PREDICTING')[0]
    assert 'unexpected key in source state_dict: source_head.fc.weight' \
        in loading
    # why publishing is needed: the training checkpoint is refused there
    assert 'HistoryBuffer' in plain['raw_error']
    assert plain['differ'] == []  # every weight of the plain model loaded
    # the trained soft model, here with mmsoftft, predicts the same
    soft_cfg = copy.deepcopy(trained['cfg'])
    soft_cfg.test_dataloader.dataset.pipeline = [
        dict(type='LoadImageFromFile'), dict(type='PackInputs')]
    soft = ImageClassificationInferencer(soft_cfg, pretrained=trained['raw'],
                                         device='cpu')(images)
    assert plain['labels'] == [int(p['pred_label']) for p in soft]
    np.testing.assert_allclose(
        plain['scores'], [p['pred_scores'] for p in soft], rtol=0, atol=1e-6)


def test_test_tool_reports_the_same_top1_with_the_plain_config(
        trained, tiny_data, tmp_path):
    published = trained['published']
    soft_config = dump_tool_config(trained['cfg'], tmp_path / 'soft.py')
    soft_out = run_tool(repo_path('tools/test.py'), soft_config, published,
                        '--work-dir', str(tmp_path / 'soft'), '--out',
                        str(tmp_path / 'soft.json'), '--out-item', 'metrics')
    plain_out = run_tool(
        repo_path('tools/test.py'),
        repo_path('configs/demo/finetune_digits.py'), published,
        '--work-dir', str(tmp_path / 'plain'), '--out',
        str(tmp_path / 'plain.json'), '--out-item', 'metrics',
        '--cfg-options', 'model.head.num_classes=3',
        f'test_dataloader.dataset.data_root={tiny_data["target"]}',
        'test_dataloader.num_workers=0')
    inference_out = run_tool(
        repo_path('tools/test.py'), trained['config'], published,
        '--work-dir', str(tmp_path / 'inference'), '--out',
        str(tmp_path / 'inference.json'), '--out-item', 'metrics',
        '--cfg-options', 'test_dataloader.num_workers=0')
    soft_top1 = json.loads((tmp_path / 'soft.json').read_text())
    plain_top1 = json.loads((tmp_path / 'plain.json').read_text())
    assert set(plain_top1) == {'accuracy/top1'}
    assert plain_top1 == soft_top1
    assert json.loads((tmp_path / 'inference.json').read_text()) == \
        soft_top1
    # the plain model got every weight, and nothing is left over
    for out in (plain_out, inference_out):
        assert 'missing keys' not in out
        assert 'unexpected key' not in out
    # the soft model misses its source head, as it was not published
    assert 'missing keys in source state_dict: source_head.fc.weight' in \
        soft_out
