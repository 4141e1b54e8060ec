"""check_checkpoints: every checkpoint a config loads is checked before the
Runner is built; errors name the config key and the path or URL. URLs are
served from 127.0.0.1 (no network)."""
import argparse
import os.path as osp
import pickle

import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import _load_checkpoint

from mmsoftft.utils import check_checkpoints, find_checkpoints, url_cache_file

from ..conftest import unreachable_url


@pytest.fixture(autouse=True)
def own_torch_home(tmp_path, monkeypatch):
    """mmengine's download cache in this test's directory; 127.0.0.1 never
    through a proxy."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')


def save_checkpoint(path, **extra):
    torch.save(dict(state_dict={'w': torch.arange(4000.)}, **extra), path)
    return str(path)


def truncate(path):
    data = open(path, 'rb').read()
    open(path, 'wb').write(data[:len(data) // 2])
    return str(path)


def config_loading(checkpoint):
    """A config whose backbone loads ``checkpoint`` (a list init_cfg)."""
    return Config(dict(model=dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=18, init_cfg=[
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Pretrained', checkpoint=checkpoint,
                 prefix='backbone')
        ]))))


def test_finds_every_checkpoint_the_run_loads():
    cfg = Config(dict(
        model=dict(
            pretrained='a.pth',
            backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='b.pth',
                                        prefix='backbone')),
            source_head=dict(init_cfg=dict(type='Pretrained', prefix='head')),
            neck=dict(init_cfg=[dict(type='Normal'),
                                dict(type='PretrainedInit',
                                     checkpoint='http://x/c.pth')])),
        load_from='d.pth'))
    assert find_checkpoints(cfg) == [
        ('model.pretrained', 'a.pth'),
        ('model.backbone.init_cfg.checkpoint', 'b.pth'),
        ('model.neck.init_cfg.1.checkpoint', 'http://x/c.pth'),
        ('load_from', 'd.pth'),
    ]
    # Runner.test initialises no weights: only the tested checkpoint
    assert find_checkpoints(cfg, init_weights=False,
                            load_from_key='checkpoint') == [
                                ('checkpoint', 'd.pth')]


def test_readable_local_checkpoints_pass(tmp_path):
    cfg = config_loading(save_checkpoint(tmp_path / 'ok.pth'))
    cfg.load_from = save_checkpoint(tmp_path / 'resume.pth')
    check_checkpoints(cfg)


def test_missing_local_file(tmp_path):
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError) as e:
        check_checkpoints(config_loading(missing))
    assert '`model.backbone.init_cfg.1.checkpoint`' in str(e.value)
    assert missing in str(e.value)


def test_truncated_local_file(tmp_path):
    path = truncate(save_checkpoint(tmp_path / 'cut.pth'))
    cfg = Config(dict(model=dict(type='ImageClassifier'), load_from=path))
    with pytest.raises(ValueError) as e:
        check_checkpoints(cfg)
    assert f"`load_from` = '{path}' is not a readable torch checkpoint" in \
        str(e.value)


def test_test_tool_names_its_argument(tmp_path):
    path = truncate(save_checkpoint(tmp_path / 'cut.pth'))
    cfg = config_loading(str(tmp_path / 'not_loaded_by_test.pth'))
    cfg.load_from = path
    with pytest.raises(ValueError, match=f"`checkpoint` = '{path}'"):
        check_checkpoints(cfg, init_weights=False, load_from_key='checkpoint')


def test_type_outside_the_allow_list_names_the_opt_in(tmp_path):
    path = save_checkpoint(tmp_path / 'ns.pth', meta=argparse.Namespace(a=1))
    with pytest.raises(pickle.UnpicklingError) as e:
        check_checkpoints(config_loading(path))
    assert str(e.value).startswith(
        f"`model.backbone.init_cfg.1.checkpoint` = '{path}' holds "
        'argparse.Namespace')
    assert "add 'argparse.Namespace' to `checkpoint_safe_globals`" in \
        str(e.value)


def test_url_is_downloaded_once_into_mmengines_cache(http_server):
    base, root, requests = http_server
    save_checkpoint(root / 'model.pth')
    url = f'{base}/model.pth'
    check_checkpoints(config_loading(url))
    assert requests == ['/model.pth']
    assert osp.isfile(url_cache_file(url))
    # mmengine's loader (what PretrainedInit calls) finds it in its cache
    ckpt = _load_checkpoint(url, map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.arange(4000.))
    assert requests == ['/model.pth']


def test_truncated_file_at_a_url(http_server):
    base, root, _ = http_server
    truncate(save_checkpoint(root / 'cut.pth'))
    url = f'{base}/cut.pth'
    with pytest.raises(ValueError) as e:
        check_checkpoints(config_loading(url))
    message = str(e.value)
    assert f"`model.backbone.init_cfg.1.checkpoint` = '{url}'" in message
    assert url_cache_file(url) in message
    assert 'is not a readable torch checkpoint' in message


@pytest.mark.parametrize('where', ['unreachable', 'not_found'])
def test_url_that_cannot_be_fetched(http_server, where):
    base, _, _ = http_server
    url = unreachable_url() if where == 'unreachable' else \
        f'{base}/missing.pth'
    with pytest.raises(ConnectionError) as e:
        check_checkpoints(config_loading(url))
    assert str(e.value).startswith(
        'Cannot download the checkpoint of '
        f'`model.backbone.init_cfg.1.checkpoint` from {url!r}')
    assert ('404' if where == 'not_found' else 'refused') in str(e.value)
    assert not osp.exists(url_cache_file(url))


def test_other_schemes_are_left_to_mmengine():
    check_checkpoints(config_loading('open-mmlab://resnet50_v1c'))
