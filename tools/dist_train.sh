#!/usr/bin/env bash

CONFIG=$1
GPUS=$2
source "$(dirname "$0")/torchrun_rdzv.sh"

PYTHONPATH="$(dirname $0)/..":$PYTHONPATH \
python -m torch.distributed.run \
    "${RDZV[@]}" \
    --nproc_per_node=$GPUS \
    $(dirname "$0")/train.py \
    $CONFIG \
    --launcher pytorch "${@:3}"
