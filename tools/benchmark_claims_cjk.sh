#!/usr/bin/env bash
# The paper's five claims on the CJK glyph test bed whose premise passes
# (docs/en/benchmark_claims.md): 1000 CJK ideographs -> 50 unseen ones
# drawn at 16 px. Needs the fonts:
#   apt-get install -y fonts-noto-cjk fonts-wqy-microhei fonts-unifont
#
#   bash tools/benchmark_claims_cjk.sh [STEP ...]
#
# Without PYTHON set it first makes the pinned environment
# (tools/setup_env.sh) and runs its python.
# STEP: select_plain, select_soft, curves, bias, report (default: all, in
# this order). Records go to $OUT (default work_dirs/claims_cjk), one JSON
# per run; a rerun computes only what is missing, so a step may be
# stopped and started again, and steps on other seeds or methods may run
# at the same time in another shell (never the same method and seed).
#   curves: claims 1, 2 and 4 and the variants, 5 shots, 8 validations
#   bias:   claims 3 and 5, 5/20/all shots, imbalanced, noisy (2 epochs
#           at least, as the premise check), with the selection of curves
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -z "${PYTHON:-}" ]; then
  bash "$ROOT/tools/setup_env.sh"  # the pinned environment, as the demo's
fi
PY="${PYTHON:-${MMSOFTFT_VENV:-$ROOT/.venv}/bin/python}"
OUT="${OUT:-work_dirs/claims_cjk}"
SEEDS="${SEEDS:-15}"
FIRST_SEED="${FIRST_SEED:-0}"
BENCH=("$PY" tools/benchmark_methods.py --tasks glyphs_cjk
       --target-image-size 16 --target-per-class 50 --pretrain-steps 3375
       --forgetting-per-class 1 --threads 1 --cache-dir "${CACHE_DIR:-work_dirs/benchmark_cache}")
CURVES=(--out "$OUT/curves" --conditions fewshot5 --min-epochs 8
        --val-points 8)
BIAS=(--out "$OUT/bias" --conditions fewshot5,fewshot20,allshot,imbalanced,noisy
      --min-epochs 2 --val-points 2)
SELECT=(--select --first-seed 100 --seeds 3)
LR=optim_wrapper.optimizer.lr
HOOK=SoftFineTuneHook
RATIO=train_dataloader.batch_sampler.source_batch_size

step() {
  case "$1" in
    select_plain)
      "${BENCH[@]}" "${CURVES[@]}" "${SELECT[@]}" --methods plain \
        --grid "plain:$LR=0.02,0.01,0.005" ;;
    select_soft)
      "${BENCH[@]}" "${CURVES[@]}" "${SELECT[@]}" --methods soft \
        --grid "soft:$LR=0.02,0.01" --grid "soft:$HOOK.start_weight=1.0,0.3" \
        --grid "soft:$HOOK.decay_end=0.25,0.5" --grid "soft:$RATIO=8,16" ;;
    curves)
      "${BENCH[@]}" "${CURVES[@]}" --seeds "$SEEDS" --first-seed "$FIRST_SEED" \
        --methods "${METHODS:-plain,soft,soft_paper,soft_separate}" ;;
    bias)
      mkdir -p "$OUT/bias"
      cp "$OUT/curves/selection.json" "$OUT/bias/selection.json"
      "${BENCH[@]}" "${BIAS[@]}" --seeds "$SEEDS" --first-seed "$FIRST_SEED" \
        --methods "${METHODS:-plain,soft}" ;;
    report)
      local dir="${REPORT_DIR:-docs/benchmark/claims_cjk}"
      "$PY" tools/benchmark_methods.py --report "$OUT/curves" \
        --report-out "$dir/curves"
      "$PY" tools/benchmark_methods.py --report "$OUT/bias" \
        --report-out "$dir/bias"
      # the records the reports are made of (not the data or work folders)
      mkdir -p "$dir"
      tar -czf "$dir/records.tar.gz" -C "$OUT" --exclude=work --exclude=data \
        curves bias ;;
    *) echo "unknown step '$1' (select_plain, select_soft, curves, bias," \
         "report)" >&2; exit 2 ;;
  esac
}

if [ "$#" -eq 0 ]; then
  set -- select_plain select_soft curves bias report
fi
for s in "$@"; do step "$s"; done
