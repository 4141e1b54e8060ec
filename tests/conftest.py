"""Shared fixtures: tiny real-format data, checkpoints and configs, and
helpers that run the scripts in ``tools/``.

The one fixture module of both test suites: ``tests`` (the plugin and its
tools) and ``benchmarks/tests`` (the harness, which imports its helpers
from here). Data are scikit-learn's bundled digits written as JPEG files
by the harness's writers (``benchmarks/digits.py``): an ImageNet-layout
source (``meta/train.txt``) and a CUB-layout target (its three txt files),
read back by mmpretrain's own dataset classes.
"""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook

import mmsoftft  # noqa: F401
from benchmarks import (
    load_digit_images,
    write_digits_source,
    write_digits_target,
)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SOURCE_CLASSES = [0, 1, 2]
TARGET_CLASSES = [5, 6, 7]


def repo_path(*parts):
    """Absolute path of a file in the repository."""
    return osp.join(REPO, *parts)


def run_tool(*args, cwd=None):
    """Run a script (e.g. ``repo_path('tools/train.py')``) and its
    arguments with this interpreter; assert it succeeds; return its output.
    """
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.run([sys.executable, *args], cwd=cwd or repo_path(),
                          env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def load_tool(name):
    """The script ``tools/<name>.py`` as a module, e.g. to call its
    ``parse_args`` (the scripts are no package)."""
    spec = importlib.util.spec_from_file_location(
        f'tools_{name}', repo_path('tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def digits():
    return load_digit_images()


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory, digits):
    """Roots of a 3-class source (ImageNet layout, 20 images per class) and
    a 3-class target (CUB layout, 4 train and ~half test per class)."""
    root = tmp_path_factory.mktemp('data')
    images, labels = digits
    keep = np.concatenate([
        np.flatnonzero(labels == c)[:20] for c in SOURCE_CLASSES
    ] + [np.flatnonzero(labels == c)[:12] for c in TARGET_CLASSES])
    source = write_digits_source(
        str(root / 'imagenet'), SOURCE_CLASSES, images[keep], labels[keep])
    target = write_digits_target(
        str(root / 'cub'), TARGET_CLASSES, images[keep], labels[keep],
        shots=4, seed=0)
    return dict(source=source, target=target)


def make_pretrained_checkpoint(path, num_classes=3, model_cfg=None):
    """Save an mmpretrain-style checkpoint ({'meta', 'state_dict'}) of a
    plain ImageClassifier, as a pre-trained source model would be."""
    from mmpretrain.registry import MODELS
    if model_cfg is None:
        model_cfg = Config.fromfile(
            repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    model_cfg = dict(model_cfg)
    model_cfg['head'] = dict(model_cfg['head'], num_classes=num_classes)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    torch.save(
        dict(
            meta=dict(dataset_meta=dict(classes=[f'c{i}' for i in range(
                num_classes)])),
            state_dict=model.state_dict()), path)
    return str(path)


@pytest.fixture(scope='session')
def pretrained_ckpt(tmp_path_factory):
    return make_pretrained_checkpoint(
        tmp_path_factory.mktemp('ckpt') / 'source_pretrained.pth')


@pytest.fixture(scope='session')
def confident_ckpt(tmp_path_factory):
    """Like ``pretrained_ckpt``, but its head's weights are large enough
    for peaked source probabilities (a freshly initialised head's are
    nearly uniform), as a trained source model's would be."""
    model_cfg = Config.fromfile(
        repo_path('configs/_base_/models/resnet18_cifar_digits.py')).model
    model_cfg.head.init_cfg = dict(type='Normal', layer='Linear', std=2.0)
    return make_pretrained_checkpoint(
        tmp_path_factory.mktemp('ckpt') / 'source_confident.pth',
        model_cfg=model_cfg)


def softft_cfg(tiny_data, pretrained, work_dir, max_epochs=6,
               **hook_args):
    """The demo's soft fine-tuning config on the tiny data, deterministic
    (no random augmentation, no workers), one log line per iteration."""
    cfg = Config.fromfile(repo_path('configs/demo/softft_digits.py'))
    pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
    cfg.merge_from_dict({
        'work_dir': str(work_dir),
        'model.backbone.init_cfg.checkpoint': pretrained,
        'model.source_head.num_classes': 3,
        'model.head.num_classes': 3,
        'data_preprocessor.num_classes': 3,
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.batch_sampler.source_batch_size': 4,
        'train_dataloader.dataset.source.data_root': tiny_data['source'],
        'train_dataloader.dataset.source.pipeline': pipeline,
        'train_dataloader.dataset.target.data_root': tiny_data['target'],
        'train_dataloader.dataset.target.pipeline': pipeline,
        'val_dataloader.dataset.data_root': tiny_data['target'],
        'val_dataloader.num_workers': 0,
        'test_dataloader.dataset.data_root': tiny_data['target'],
        'test_dataloader.num_workers': 0,
        'train_cfg.max_epochs': max_epochs,
        'train_cfg.val_interval': max_epochs,
        'param_scheduler.0.end': max_epochs,
        'param_scheduler.0.T_max': max_epochs,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': -1,
        'randomness': dict(seed=0, deterministic=True),
        'log_level': 'WARNING',
    })
    # the tests' expectations assume this schedule, whatever the defaults
    cfg.custom_hooks[0].update(
        dict(start_weight=1.0, decay_begin=0, decay_end=0.5,
             unit='fraction', shape='cosine'))
    cfg.custom_hooks[0].update(hook_args)
    return cfg


class BatchRecorder(Hook):
    """Records, per iteration, the source weight the model trains with and
    the (domain, label) of every sample of the batch."""

    priority = 'LOWEST'

    def __init__(self):
        self.weights, self.domains, self.batches = {}, {}, {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = runner.model
        self.weights[runner.iter] = model.source_weight
        samples = data_batch['data_samples']
        self.domains[runner.iter] = [s.domain for s in samples]
        self.batches[runner.iter] = [(s.domain, int(s.gt_label), s.img_path)
                                     for s in samples]


class StepCounter(Hook):
    """Counts the training steps taken."""

    def __init__(self):
        self.steps = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.steps += 1


@pytest.fixture
def http_server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving ``<tmp_path>/www``: yields
    ``(base_url, root, requests)``, ``requests`` listing the served paths."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / 'www'
    root.mkdir()
    requests = []

    class Handler(SimpleHTTPRequestHandler):

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}', root, requests
    finally:
        server.shutdown()
        server.server_close()


def unreachable_url(name='model.pth'):
    """A URL on a 127.0.0.1 port that nothing listens on."""
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return f'http://127.0.0.1:{port}/{name}'


def dump_tool_config(cfg, path, **options):
    """Write ``cfg`` (e.g. from :func:`softft_cfg`) as a config file for
    ``tools/train.py`` / ``tools/test.py``: INFO logs (metrics, loaded
    checkpoints), no persistent loader workers (train.py turns them on),
    then ``options``."""
    import copy
    cfg = copy.deepcopy(cfg)
    cfg.merge_from_dict({
        'log_level': 'INFO',
        'val_dataloader.persistent_workers': False,
        'test_dataloader.persistent_workers': False,
        **options
    })
    cfg.dump(str(path))
    return str(path)
