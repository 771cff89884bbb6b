#!/usr/bin/env bash
# A few rows of activations on bf16 weights (a batched decode step): the GEMV row kernels vs the packed GEMM,
# per row count, where VectorGemm.SMALL_M_BF16 belongs. Not part of the build or the tests.
#
#   kernels/bench/small-batch.sh [--threads=2] [--rows=2,4,6,8,12,16,20,24,32] [--iterations=12]
set -euo pipefail

exec "$(dirname "$0")/java-main.sh" 1g 4g dev.vstream.kernels.linalg.SmallBatchGemmBenchmark "$@"
