#!/usr/bin/env bash
# Create (or reuse) the virtual environment that the demo and the tests use.
# Idempotent: reinstalls only when setup.py or requirements/ changed.
#   MMSOFTFT_VENV  where the environment lives (default: <repo>/.venv)
#   TORCH_SPEC     torch/torchvision to install when torch is missing
#                  (default: the CPU-capable pair on this project's machines)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMSOFTFT_VENV:-$ROOT/.venv}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1 torchvision==0.29.1}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup_env] creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
fi
PY="$VENV/bin/python"
stamp="$VENV/.mmsoftft-installed"
want="$(cat "$ROOT/setup.py" "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    if ! "$PY" -c "import torch, torchvision" >/dev/null 2>&1; then
        echo "[setup_env] installing $TORCH_SPEC"
        # shellcheck disable=SC2086
        "$PY" -m pip install -q $TORCH_SPEC
    fi
    echo "[setup_env] installing mmsoftft and its requirements"
    "$PY" -m pip install -q "setuptools<81" wheel
    # constraints.txt pins what the demo's figures depend on, in this
    # environment only (the plugin's own requirements stay open)
    "$PY" -m pip install -q -r "$ROOT/requirements/runtime.txt" \
        -r "$ROOT/requirements/tests.txt" \
        -r "$ROOT/requirements/tools.txt" \
        -c "$ROOT/requirements/constraints.txt"
    "$PY" -m pip install -q --no-build-isolation -e "$ROOT" \
        -c "$ROOT/requirements/constraints.txt"
    echo "$want" > "$stamp"
fi
