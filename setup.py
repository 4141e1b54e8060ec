"""Install mmsoftft. Pure Python: nothing is compiled.

MMPretrain needs the ``mmcv`` package. An installed ``mmcv`` (full, with
compiled ops) or ``mmcv-lite`` is used as it is; when neither is installed,
``mmcv-lite`` (pure Python) is required, since mmsoftft needs no mmcv op.
"""
import json
import os
import subprocess
import sys

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read_requirements(name):
    with open(os.path.join(HERE, 'requirements', name)) as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith('#')
        ]


def installed_mmcv_distributions():
    """Names of installed mmcv distributions in the *target* environment.

    pip builds in an isolated environment that hides the target's
    site-packages, so ask the same interpreter in a clean subprocess.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ('PYTHONPATH', 'PYTHONNOUSERSITE', 'PYTHONHOME')
    }
    code = ('import importlib.metadata as m, json; '
            'print(json.dumps([n for n in ("mmcv", "mmcv-full", "mmcv-lite")'
            ' if any(d.metadata["Name"] == n for d in m.distributions())]))')
    try:
        out = subprocess.run([sys.executable, '-c', code], env=env,
                             capture_output=True, text=True, check=True,
                             cwd='/').stdout
        return json.loads(out.strip().splitlines()[-1])
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return []


def install_requires():
    requires = read_requirements('runtime.txt')
    found = installed_mmcv_distributions()
    if 'mmcv' not in found and 'mmcv-full' not in found:
        requires += read_requirements('mminstall.txt')
    return requires


version = {}
with open(os.path.join(HERE, 'mmsoftft', 'version.py')) as f:
    exec(f.read(), version)

setup(
    name='mmsoftft',
    version=version['__version__'],
    description='Soft fine-tuning for MMPretrain: keep training on the '
    'source data and softly decay its loss to zero',
    long_description=open(os.path.join(HERE, 'README.md')).read()
    if os.path.exists(os.path.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    python_requires='>=3.8',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools',
                                    'benchmarks', 'benchmarks.*')),
    install_requires=install_requires(),
    extras_require={
        'tests': read_requirements('tests.txt'),
        'tools': read_requirements('tools.txt')
    },
    license='Apache License 2.0',
    zip_safe=False)
