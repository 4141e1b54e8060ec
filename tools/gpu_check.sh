#!/usr/bin/env bash
# The one prepared GPU check (under 7 minutes on one H100): install what is
# missing, run the CUDA tests, train the shipped ResNet-50 configs end to end
# through tools/train.py (synthetic CUB/ImageNet JPEGs, 448 px, the real
# loader; tools/benchmark_e2e.py), time train_step (tools/benchmark_speed.py),
# and write the figures to $OUT/gpu_check.json. Prepare here with
# `bash tools/fetch_gpu_wheels.sh`, then run it there with `.whl` carried.
# A CPU smoke run of the whole script (mmengine's AMP needs a GPU):
#   BENCH_MODEL="--model demo --res 32 --batch 4 --device cpu" BENCH_AMP= \
#   E2E_ARGS="--device cpu --res 32 --image-size 40x30 --batch 2 --iters 4
#             --skip 1 --workers 2 --threads 1" bash tools/gpu_check.sh
set -uo pipefail
OUT=${OUT:-work_dirs/gpu_check}
BUDGET=${BUDGET:-380}  # seconds for all steps together
mkdir -p "$OUT"
limit() {  # a step's own time limit, cut to what is left of the budget
    local left=$(( BUDGET - SECONDS ))
    (( left < 10 )) && left=10
    echo $(( $1 < left ? $1 : left ))
}
if ! python3 -c "import mmpretrain" >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile \
        --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD:${PYTHONPATH:-}" PYTHONWARNINGS=ignore
nvidia-smi --query-gpu=name,memory.total --format=csv 2>&1 | tee "$OUT/gpu.txt"
timeout "$(limit 120)" python3 -m pytest -q -p no:cacheprovider \
    tests/test_gpu 2>&1 | tee "$OUT/gpu_tests.log"
# end to end: plain default, plain and soft with the fast flags, ~100
# iterations each; seconds from the last checkpoint to the process's exit
E2E_ARGS=${E2E_ARGS:-""}
# shellcheck disable=SC2086
timeout "$(limit 200)" python3 tools/benchmark_e2e.py $E2E_ARGS \
    --out "$OUT/e2e.json" 2>&1 | grep -v '^ ' | tail -n 20
# BENCH_MODEL and BENCH_AMP override the train_step benchmark's settings
BENCH_MODEL=${BENCH_MODEL:-"--model resnet50 --res 448 --batch 32"}
BENCH_AMP=${BENCH_AMP-"--amp --bf16"}
bench() {  # name, then benchmark_speed.py arguments
    local name=$1; shift
    # shellcheck disable=SC2086
    timeout "$(limit 100)" python3 tools/benchmark_speed.py $BENCH_MODEL \
        --iters 8 --rounds 3 --warmup 4 "$@" --out "$OUT/$name.json" 2>&1 \
        | tail -n 30
}
# shellcheck disable=SC2086
bench bf16_channels_last $BENCH_AMP --channels-last --compare-layouts
# shellcheck disable=SC2086
bench bf16 $BENCH_AMP
python3 - "$OUT" "$SECONDS" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
figures = {os.path.basename(p)[:-5]: json.load(open(p))
           for p in sorted(glob.glob(os.path.join(out, '*.json')))
           if not p.endswith('gpu_check.json')}
figures['tests'] = open(os.path.join(out, 'gpu_tests.log')).read()[-2000:]
figures['script_seconds'] = int(sys.argv[2])
json.dump(figures, open(os.path.join(out, 'gpu_check.json'), 'w'), indent=1)
print(json.dumps({k: v for k, v in figures.items() if k != 'tests'},
                 indent=1)[:6000])
PY
