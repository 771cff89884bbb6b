#!/usr/bin/env bash
# One query row over a long KV cache (RowAttention: a question's last token, a decode step), fp32 and bf16 rows,
# against the scalar reference kernel and the memory read bandwidth. Not part of the build or the tests.
#
#   kernels/bench/row-attention.sh [--rows=81537] [--heads=4] [--kv-heads=2] [--head-dim=32] [--threads=1,2]
#                                  [--iterations=200]
set -euo pipefail

exec "$(dirname "$0")/java-main.sh" 1g 4g dev.vstream.kernels.bench.RowAttentionBenchmark "$@"
