"""method_parts: the digest of a cell's data."""
import shutil

import pytest

from benchmarks.method_parts import data_digest
from benchmarks.source_models import LazyPools
from benchmarks.tasks import write_target


@pytest.fixture(scope='module')
def cells(fashion_dir, tmp_path_factory):
    """``far/fewshot5`` written for seeds 0 and 1, and seed 0 again."""
    root = tmp_path_factory.mktemp('cells')
    pools = LazyPools(fashion_dir)
    return {name: write_target('far', 'fewshot5', seed, pools,
                               str(root / name), val_per_class=5)
            for name, seed in (('s0', 0), ('s1', 1), ('s0_again', 0))}


def test_data_digest_is_the_content_not_the_names(cells, tmp_path):
    s0, s1, again = cells['s0'], cells['s1'], cells['s0_again']
    digest = data_digest(s0['target'], s0['val'])
    # the same subset written twice: the same digest
    assert data_digest(again['target'], again['val']) == digest
    # another seed's subset, under the same file names: another digest
    with open(f"{s1['target']}/images.txt") as f, \
            open(f"{s0['target']}/images.txt") as g:
        assert f.read() == g.read()
    assert data_digest(s1['target'], s1['val']) != digest
    assert data_digest(s1['target'], s0['val']) != digest
    # one image's bytes, one label, one split flag each change it
    copy = str(tmp_path / 'target')
    shutil.copytree(s0['target'], copy)
    with open(f'{copy}/images.txt') as f:
        first = f.readline().split()[1]
    with open(f'{copy}/images/{first}', 'ab') as f:
        f.write(b'\0')
    assert data_digest(copy, s0['val']) != digest
    for name, line in (('image_class_labels.txt', '1 4'),
                       ('train_test_split.txt', '1 0')):
        shutil.rmtree(copy)
        shutil.copytree(s0['target'], copy)
        with open(f'{copy}/{name}') as f:
            lines = f.read().splitlines()
        assert lines[0] != line
        with open(f'{copy}/{name}', 'w') as f:
            f.write('\n'.join([line] + lines[1:]) + '\n')
        assert data_digest(copy, s0['val']) != digest, name
