"""demo_paths: the demo's inputs are read from the demo configs, which
agree on them."""
import pytest

from benchmarks.demo_data import demo_paths
from tests.conftest import repo_path


def test_shipped_demo_configs_agree():
    assert demo_paths(repo_path('configs/demo')) == dict(
        source='data/digits/source',
        target='data/digits/target',
        pretrained='work_dirs/demo/digits_pretrain.pth')


def test_configs_that_disagree(tmp_path):
    ckpt = "model = dict(backbone=dict(init_cfg=dict(checkpoint='p.pth')))\n"
    (tmp_path / 'digits_pretrain.py').write_text(
        "train_dataloader = dict(dataset=dict(data_root='data/s'))\n")
    (tmp_path / 'finetune_digits.py').write_text(
        "train_dataloader = dict(dataset=dict(data_root='data/t'))\n" + ckpt)
    (tmp_path / 'softft_digits.py').write_text(
        "train_dataloader = dict(dataset=dict(\n"
        "    source=dict(data_root='data/s'),\n"
        "    target=dict(data_root='data/other')))\n" + ckpt)
    with pytest.raises(ValueError) as e:
        demo_paths(str(tmp_path))
    assert 'The demo configs disagree on the target path' in str(e.value)
    assert "'data/other'" in str(e.value)
