"""The data side of ``tools/benchmark_speed.py``: how long real Runner
iterations wait for data, and the batch sampler's memory over huge sources.
"""
import os.path as osp
import statistics
import tempfile

import numpy as np

from .digits import load_digit_images, write_digits_source, write_digits_target
from .train_job import run_training

__all__ = ['VirtualDataset', 'bench_loader', 'bench_sampler_memory']

REPO_CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                        'configs')


def bench_loader(epochs=4):
    """Train the demo's plain and soft fine-tuning configs on the digits
    with the real Runner and its DataLoader (plain, soft, soft, plain, same
    seed and target batches). Return, for plain, soft while the source
    weight is > 0 and soft after it reached 0: the fraction of iteration
    time spent waiting for data and the images/s of the median iteration;
    and the two goal ratios measured that way."""
    with tempfile.TemporaryDirectory() as tmp:
        images, labels = load_digit_images()
        source = write_digits_source(osp.join(tmp, 'src'), [0, 1, 2, 3, 4],
                                     images, labels)
        target = write_digits_target(osp.join(tmp, 'tgt'), [5, 6, 7, 8, 9],
                                     images, labels, shots=None)
        common = {
            'train_cfg.max_epochs': epochs,
            'train_cfg.val_interval': epochs + 1,
            'param_scheduler.0.end': epochs,
            'param_scheduler.0.T_max': epochs,
            'val_dataloader.dataset.data_root': target,
            'log_level': 'WARNING',
        }
        configs = {
            'plain': ('finetune_digits.py', {
                'model.backbone.init_cfg': None,
                'train_dataloader.dataset.data_root': target,
            }),
            'soft': ('softft_digits.py', {
                'model.backbone.init_cfg': None,
                'model.source_head.init_cfg': None,
                'train_dataloader.dataset.source.data_root': source,
                'train_dataloader.dataset.target.data_root': target,
            }),
        }
        runs = {name: dict(data=[], time=[], weight=[]) for name in configs}
        # ABBA order: drift and first-run effects hit both alike
        for i, name in enumerate(('plain', 'soft', 'soft', 'plain')):
            config, options = configs[name]
            job = run_training(
                osp.join(REPO_CONFIGS, 'demo', config),
                osp.join(tmp, f'{name}{i}'), dict(common, **options),
                experiment_name=f'bench_loader_{name}{i}')
            hub = job['runner'].message_hub
            for field, key in (('data', 'train/data_time'),
                               ('time', 'train/time'),
                               ('weight', 'train/source_weight')):
                if key in hub.log_scalars:
                    runs[name][field].append(hub.get_scalar(key).data[0])
            runs[name]['loader'] = job['runner'].cfg.train_dataloader
    for run in runs.values():
        for key in ('data', 'time', 'weight'):
            run[key] = np.concatenate(run[key]) if run[key] else None
    loader = runs['soft']['loader']
    batch = loader.batch_size
    source_batch = loader.batch_sampler.source_batch_size
    out = dict(epochs=epochs, batch=batch, source_batch=source_batch,
               num_workers=loader.num_workers)
    weight = runs['soft']['weight']
    cases = (('plain', runs['plain'], None, batch),
             ('soft_w>0', runs['soft'], weight > 0, batch + source_batch),
             ('soft_w=0', runs['soft'], weight == 0, batch))
    for name, run, mask, n_images in cases:
        data, times = run['data'], run['time']
        if mask is not None:
            data, times = data[mask], times[mask]
        sec = float(statistics.median(times.tolist()))
        out[name] = dict(
            iters=len(times), sec_per_iter=round(sec, 5),
            img_per_s=round(n_images / sec, 1),
            data_wait_fraction=round(float(data.sum() / times.sum()), 3))
    out['ratio_per_image_soft_vs_plain'] = round(
        out['soft_w>0']['img_per_s'] / out['plain']['img_per_s'], 3)
    out['ratio_iter_time_w0_vs_plain'] = round(
        out['soft_w=0']['sec_per_iter'] / out['plain']['sec_per_iter'], 3)
    return out


class VirtualDataset:
    """``n`` samples and no annotation list: a stand-in for a huge source."""

    def __init__(self, n):
        from mmengine.dataset import BaseDataset

        class _Virtual(BaseDataset):

            def full_init(inner):
                inner._fully_initialized = True

            def __len__(inner):
                return n

        self.dataset = _Virtual(lazy_init=True)


def bench_sampler_memory(sizes=(10**4, 10**6, 10**8), world_size=2):
    """Peak Python heap (tracemalloc) of building the batch sampler and
    drawing one epoch of 1000 batches of 64 source indices, per rank."""
    import tracemalloc
    from unittest import mock

    from mmengine.dataset import DefaultSampler

    from mmsoftft.datasets import SourceTargetBatchSampler, SourceTargetDataset
    target = VirtualDataset(8000).dataset
    out = {}
    for size in sizes:
        dataset = SourceTargetDataset(
            source=VirtualDataset(size).dataset, target=target,
            check_files=0)
        peaks = []
        for rank in range(world_size):
            with mock.patch('mmengine.dataset.sampler.get_dist_info',
                            return_value=(rank, world_size)), mock.patch(
                                'mmsoftft.datasets.samplers.'
                                'source_target_batch_sampler.get_dist_info',
                                return_value=(rank, world_size)):
                tracemalloc.start()
                sampler = SourceTargetBatchSampler(
                    DefaultSampler(dataset, seed=0), 4, source_batch_size=64)
                sampler.sampler.set_epoch(3)
                n = sum(len(b) for b in sampler)
                peaks.append(tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
        out[f'source_{size:.0e}'] = dict(
            indices_per_rank=n, peak_bytes_per_rank=peaks)
    return out
