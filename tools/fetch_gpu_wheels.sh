#!/usr/bin/env bash
# Download, on a machine with PyPI, the pure-Python wheels the GPU machine
# lacks (it has torch, torchvision, numpy, opencv...; see docs/en/speed.md)
# into .whl/ (git-ignored), for tools/gpu_check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux2014_x86_64 --platform any -d .whl \
    mmengine==0.10.7 mmcv-lite==2.2.0 mmpretrain==1.2.0 addict yapf platformdirs \
    termcolor mat4py modelindex model-index ordered-set importlib-metadata zipp \
    lazy-importer tomli
ls .whl
