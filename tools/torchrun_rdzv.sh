# Sourced by dist_train.sh and dist_test.sh: sets RDZV, torchrun's
# rendezvous arguments, from NNODES, NODE_RANK, MASTER_ADDR and PORT.
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
