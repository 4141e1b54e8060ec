#!/usr/bin/env bash

CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

# PORT=0 (one node): torchrun's standalone rendezvous binds free ports
# itself, so jobs on one machine cannot race for a port picked beforehand
if [ "$PORT" = 0 ]; then
    if [ "$NNODES" != 1 ]; then
        echo "PORT=0 needs NNODES=1 (got NNODES=$NNODES): set a PORT" >&2
        exit 2
    fi
    RDZV=(--standalone)
else
    RDZV=(--nnodes=$NNODES --node_rank=$NODE_RANK --master_addr=$MASTER_ADDR
          --master_port=$PORT)
fi

PYTHONPATH="$(dirname $0)/..":$PYTHONPATH \
python -m torch.distributed.run \
    "${RDZV[@]}" \
    --nproc_per_node=$GPUS \
    $(dirname "$0")/test.py \
    $CONFIG \
    $CHECKPOINT \
    --launcher pytorch \
    "${@:4}"
