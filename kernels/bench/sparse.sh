#!/usr/bin/env bash
# Sparse (MMInference patterns) vs dense flash-style prefill attention on video-like input:
# time ratio, block density and attention recall per pattern. Not part of the build or tests.
#
#   kernels/bench/sparse.sh [--lengths=8192,32768,65536] [--threads=2] [--rounds=3] [--frame=256]
#                           [--head-dim=128] [--layer=8/2] [--layer-lengths=8192,32768]
#                           [--recall-rows=64] [--block=64]
#
# Memory: about 16 bytes per token per head (q, out) plus 8 per token per kv head (k, v).
set -euo pipefail

exec "$(dirname "$0")/java-main.sh" 2g 12g dev.vstream.kernels.bench.sparse.SparseAttentionBenchmark "$@"
