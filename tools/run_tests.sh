#!/usr/bin/env bash
# The test command: set up the environment, lint, run the test suite.
#   bash tools/run_tests.sh [extra pytest arguments]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
VENV="${MMSOFTFT_VENV:-$ROOT/.venv}"
cd "$ROOT"
"$VENV/bin/ruff" check mmsoftft tools tests benchmarks configs setup.py
# the end-to-end tool runs (marked slow) run in CI: .ci/run
"$VENV/bin/python" -m pytest tests benchmarks/tests -m "not slow" "$@"
