#!/usr/bin/env bash

CONFIG=$1
CHECKPOINT=$2
GPUS=$3
source "$(dirname "$0")/torchrun_rdzv.sh"

PYTHONPATH="$(dirname $0)/..":$PYTHONPATH \
python -m torch.distributed.run \
    "${RDZV[@]}" \
    --nproc_per_node=$GPUS \
    $(dirname "$0")/test.py \
    $CONFIG \
    $CHECKPOINT \
    --launcher pytorch \
    "${@:4}"
