"""Publish a trained checkpoint for plain MMPretrain (no mmsoftft needed).

After mmpretrain's tools/model_converters/publish_model.py. A training
checkpoint also holds the optimizer, the parameter schedulers and mmengine's
message hub (``HistoryBuffer`` and numpy objects), which torch >= 2.6 refuses
to unpickle under its default ``weights_only=True`` unless mmsoftft's
allow-list is registered. The published file keeps only ``state_dict`` and
``meta``, holds nothing outside torch's default allow-list (checked), and is
named ``<name>-<sha256[:8]>.pth``, the name torch hub's ``check_hash``
expects. It loads with mmpretrain's ``init_model`` /
``ImageClassificationInferencer`` and the plain config of the same network
(``source_head.*`` weights are reported as unexpected and ignored).

Usage: python tools/publish_model.py IN_FILE OUT_FILE
    e.g. ... work_dirs/softft_digits/epoch_30.pth softft_digits.pth
    writes softft_digits-<sha256[:8]>.pth
"""
import argparse
import hashlib
import os
import os.path as osp

import mmpretrain
import torch

import mmsoftft  # noqa: F401  (allow-list to read training checkpoints)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('in_file', help='training checkpoint')
    parser.add_argument(
        'out_file', help='output name; the hash is added before .pth')
    return parser.parse_args(argv)


def plain_loading_globals(path: str) -> list:
    """Globals in ``path`` outside torch's default ``weights_only``
    allow-list (as a process without mmsoftft sees it); none to check
    before torch 2.5, which does not load with ``weights_only`` by
    default."""
    if not hasattr(torch.serialization, 'get_unsafe_globals_in_checkpoint'):
        return []
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return torch.serialization.get_unsafe_globals_in_checkpoint(path)
    finally:
        torch.serialization.add_safe_globals(saved)


def publish_checkpoint(in_file: str, out_file: str) -> str:
    """Write ``in_file``'s ``state_dict`` and ``meta`` as
    ``<out_file without .pth>-<sha256[:8]>.pth``.

    Args:
        in_file (str): A training checkpoint (mmengine's format).
        out_file (str): Output path; its directory must exist.

    Returns:
        str: The path written.

    Raises:
        FileNotFoundError: If ``out_file``'s directory does not exist.
        ValueError: If ``in_file`` has no ``state_dict``, holds EMA weights
            (not supported), or its ``meta`` needs types that plain
            ``weights_only`` loading refuses.
    """
    out_dir = osp.dirname(osp.abspath(out_file))
    if not osp.isdir(out_dir):
        raise FileNotFoundError(
            f'The directory of out_file {out_file!r} does not exist')
    ckpt = torch.load(in_file, map_location='cpu')
    if not isinstance(ckpt, dict) or 'state_dict' not in ckpt:
        keys = sorted(ckpt) if isinstance(ckpt, dict) else type(ckpt)
        raise ValueError(f'{in_file!r} is not a training checkpoint with a '
                         f'`state_dict`, but has {keys}')
    if 'ema_state_dict' in ckpt:
        raise ValueError(f'{in_file!r} holds EMA weights (`ema_state_dict`),'
                         ' which this tool does not publish')
    meta = dict(ckpt.get('meta') or {})
    meta.setdefault('mmpretrain_version', mmpretrain.__version__)
    name = out_file[:-len('.pth')] if out_file.endswith('.pth') else out_file
    tmp = f'{name}.pth.part'
    torch.save(dict(state_dict=ckpt['state_dict'], meta=meta), tmp)
    unsafe = plain_loading_globals(tmp)
    if unsafe:
        os.remove(tmp)
        raise ValueError(
            f'The `meta` of {in_file!r} holds {unsafe}, which plain '
            'weights_only loading refuses: nothing was written')
    with open(tmp, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    final = f'{name}-{sha[:8]}.pth'
    os.replace(tmp, final)
    return final


def main():
    args = parse_args()
    final = publish_checkpoint(args.in_file, args.out_file)
    print(f'Published {args.in_file} as {final}')


if __name__ == '__main__':
    main()
