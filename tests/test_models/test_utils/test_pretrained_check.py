"""check_pretrained compares each weight's shape, not only its size: a
transposed or permuted weight (same number of elements) is refused."""
import pytest
import torch
import torch.nn as nn

from mmsoftft.models.utils import check_pretrained


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(4, 6)


def save(path, **changes):
    """A checkpoint of Net under prefix `backbone.`, some weights
    replaced."""
    torch.manual_seed(0)
    state = {f'backbone.{k}': v for k, v in Net().state_dict().items()}
    state.update(changes)
    torch.save(dict(state_dict=state), path)
    return str(path)


def check(path):
    check_pretrained([('backbone', Net(),
                       dict(checkpoint=path, prefix='backbone'))])


def test_matching_checkpoint_passes(tmp_path):
    check(save(tmp_path / 'ok.pth'))


@pytest.mark.parametrize('key, value, shapes', [
    ('fc.weight', torch.zeros(4, 6), '(6, 4)` ... (4, 6)'),
    ('conv.weight', torch.zeros(3, 8, 3, 3), '(8, 3, 3, 3)` ... (3, 8, 3, 3)'),
])
def test_transposed_weight_is_refused(key, value, shapes, tmp_path):
    assert value.numel() == dict(Net().named_parameters())[key].numel()
    path = save(tmp_path / 'bad.pth', **{f'backbone.{key}': value})
    want, got = shapes.split('` ... ')
    with pytest.raises(ValueError) as e:
        check(path)
    assert f'`backbone.{key}` has shape {want}' in str(e.value)
    assert f'key `backbone.{key}` has shape {got}' in str(e.value)
