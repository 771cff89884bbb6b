#!/usr/bin/env bash
# Benchmarks our GEMM/GEMV kernels against OpenBLAS (through FFM) and prints GFLOP/s, GB/s
# and the machine's memory read bandwidth. Not part of the build or the tests.
#
#   kernels/bench/run.sh [--threads=1,2] [--rounds=3] [--iterations=10] [--rotation-mib=1024]
#                        [--warmup-ms=1000] [--openblas=libopenblas.so.0]
#                        [--cases=bandwidth,gemm,gemv]
#
# Needs Debian's OpenBLAS (installed with apt-get when missing; root or sudo) and about
# 3 GiB of free memory (GEMV weights rotate over more than the last-level cache).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

if ! /sbin/ldconfig -p | grep 'libopenblas\.so\.0' >/dev/null; then
    echo "OpenBLAS not found; installing libopenblas0-pthread" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get install -y --no-install-recommends libopenblas0-pthread >&2 \
        || { $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends libopenblas0-pthread >&2; }
fi

cd "$repo"
# Compile main and test classes of this module only (the benchmark lives in the test tree).
./mvnw -q -o -pl kernels test-compile

classes="kernels/target/classes:kernels/target/test-classes"
# OpenBLAS threads must not be pinned or capped by the environment: the benchmark sets them.
unset OPENBLAS_NUM_THREADS OMP_NUM_THREADS GOTO_NUM_THREADS
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -XX:+UseParallelGC -Xms1g -Xmx2g -cp "$classes" dev.vstream.kernels.bench.LinalgBenchmark "$@"
