#!/usr/bin/env bash
# The demo command: set up the environment, run the embedded digits demo.
#   bash tools/run_demo.sh [tools/demo.py arguments]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
VENV="${MMSOFTFT_VENV:-$ROOT/.venv}"
cd "$ROOT"
"$VENV/bin/python" -W ignore::UserWarning tools/demo.py "$@"
