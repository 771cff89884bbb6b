#!/usr/bin/env bash
# A few rows of activations on bf16 weights (a batched decode step): the GEMV row kernels vs the packed GEMM,
# per row count, where VectorGemm.SMALL_M_BF16 belongs. Not part of the build or the tests.
#
#   kernels/bench/small-batch.sh [--threads=2] [--rows=2,4,6,8,12,16,20,24,32] [--iterations=12]
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$repo"
./mvnw -q -o -pl kernels test-compile
classes="kernels/target/classes:kernels/target/test-classes"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms1g -Xmx4g \
    -cp "$classes" dev.vstream.kernels.linalg.SmallBatchGemmBenchmark "$@"
