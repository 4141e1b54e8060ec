"""The demo and benchmark harness of mmsoftft: not part of the plugin.

Everything the scripts ``tools/demo.py``, ``tools/benchmark_*.py`` and
``tools/compare_methods.py`` do lives here: image pools, tasks and
conditions, the method table and its runs, statistics, reports and plots,
demo and synthetic data writers, the IDX reader, timed subprocess runs and
``RunRecordHook``. The plugin (``mmsoftft``) imports nothing from here;
``tools/train.py`` and ``tools/test.py`` neither. A script in ``tools/``
puts the repository root on ``sys.path`` and imports ``benchmarks.<module>``;
the tests are in ``benchmarks/tests`` (``pytest.ini`` collects them). Its
extra dependencies are the ``tools`` extra (``pip install -e .[tools]``).
See ``benchmarks/README.md``.
"""
from .digits import load_digit_images, write_digits_source, write_digits_target
from .layouts import write_cub_layout, write_imagenet_layout
from .train_job import run_training

__all__ = [
    'load_digit_images', 'run_training', 'write_cub_layout',
    'write_digits_source', 'write_digits_target', 'write_imagenet_layout'
]
