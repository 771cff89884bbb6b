#!/usr/bin/env bash
# One query row over a long KV cache (RowAttention: a question's last token, a decode step), fp32 and bf16 rows,
# against the scalar reference kernel and the memory read bandwidth. Not part of the build or the tests.
#
#   kernels/bench/row-attention.sh [--rows=81537] [--heads=4] [--kv-heads=2] [--head-dim=32] [--threads=1,2]
#                                  [--iterations=200]
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$repo"
./mvnw -q -o -pl kernels test-compile
classes="kernels/target/classes:kernels/target/test-classes"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms1g -Xmx4g \
    -cp "$classes" dev.vstream.kernels.bench.RowAttentionBenchmark "$@"
