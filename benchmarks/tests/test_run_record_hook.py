"""RunRecordHook's per-iteration digest: the target samples' indices,
labels and augmented pixels, the source samples left out."""
from types import SimpleNamespace

import torch
from mmpretrain.structures import DataSample

from benchmarks.run_record_hook import RunRecordHook, sequence_digest


def batch(images, domains, stacked=True):
    """A loader batch: ``uint8`` images ``(B, 3, H, W)`` and their
    samples (index ``10 + i``, label ``i % 2``, domain)."""
    samples = [
        DataSample(metainfo=dict(sample_idx=10 + i, domain=d)).set_gt_label(
            i % 2) for i, d in enumerate(domains)
    ]
    inputs = images.clone() if stacked else [im.clone() for im in images]
    return dict(inputs=inputs, data_samples=samples)


def record(data_batch):
    runner = SimpleNamespace(run_record=dict(
        target_batches=[], target_labels=[], batch_digests=[]))
    RunRecordHook().before_train_iter(runner, 0, data_batch)
    return runner.run_record


def test_the_digest_covers_every_target_pixel_and_no_source_pixel():
    images = torch.randint(0, 256, (3, 3, 4, 4), dtype=torch.uint8,
                           generator=torch.Generator().manual_seed(0))
    domains = ['target', 'source', 'target']
    rec = record(batch(images, domains))
    assert rec['target_batches'] == [[10, 12]]
    assert rec['target_labels'] == [[0, 0]]
    digest = rec['batch_digests'][0]
    # a list of images (pseudo_collate) digests as the stacked batch
    assert record(batch(images, domains, stacked=False))[
        'batch_digests'] == [digest]
    for index in ((0, 0, 0, 0), (2, 1, 3, 2)):  # one pixel of a target
        changed = images.clone()
        changed[index] ^= 1
        for stacked in (True, False):
            assert record(batch(changed, domains, stacked))[
                'batch_digests'] != [digest], (index, stacked)
    # a source image is not part of the target batches
    changed = images.clone()
    changed[1, 0, 0, 0] ^= 1
    assert record(batch(changed, domains))['batch_digests'] == [digest]
    # the run's digest changes with any iteration's
    assert sequence_digest([digest, 'a' * 16]) != sequence_digest(
        [digest, 'b' * 16])
