#!/usr/bin/env bash
# The one prepared GPU check (under 8 minutes): install what is missing,
# run the CUDA tests, run the speed benchmark (ResNet-50, 448 px), write
# the figures to $OUT/gpu_check.json. Prepare here with
# `bash tools/fetch_gpu_wheels.sh`, then run it there with `.whl` carried.
set -uo pipefail
OUT=${OUT:-work_dirs/gpu_check}
mkdir -p "$OUT"
if ! python3 -c "import mmpretrain" >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile \
        --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONWARNINGS=ignore
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
timeout 150 python3 -m pytest -q -p no:cacheprovider tests/test_gpu \
    2>&1 | tee "$OUT/gpu_tests.log"
# BENCH_MODEL overrides the model settings (a CPU smoke run of this script:
# BENCH_MODEL="--model demo --res 32 --batch 4 --device cpu")
BENCH_MODEL=${BENCH_MODEL:-"--model resnet50 --res 448 --batch 32"}
bench() {  # name, then benchmark_speed.py arguments
    local name=$1; shift
    # shellcheck disable=SC2086
    timeout 150 python3 tools/benchmark_speed.py $BENCH_MODEL --iters 8 \
        --rounds 3 --warmup 4 "$@" --out "$OUT/$name.json" 2>&1 | tail -n 30
}
bench bf16_channels_last --amp --bf16 --channels-last --compare-layouts
bench bf16 --amp --bf16
python3 - "$OUT" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
figures = {os.path.basename(p)[:-5]: json.load(open(p))
           for p in sorted(glob.glob(os.path.join(out, '*.json')))
           if not p.endswith('gpu_check.json')}
figures['tests'] = open(os.path.join(out, 'gpu_tests.log')).read()[-2000:]
json.dump(figures, open(os.path.join(out, 'gpu_check.json'), 'w'), indent=1)
print(json.dumps({k: v for k, v in figures.items() if k != 'tests'},
                 indent=1)[:6000])
PY
