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

repo="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$repo"
./mvnw -q -o -pl kernels test-compile
classes="kernels/target/classes:kernels/target/test-classes"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms2g -Xmx12g \
    -cp "$classes" dev.vstream.kernels.bench.sparse.SparseAttentionBenchmark "$@"
