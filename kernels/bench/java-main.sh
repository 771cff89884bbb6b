#!/usr/bin/env bash
# Compiles the kernels module (main + test classes: the benchmarks live in the test tree) and runs one bench main
# on them; the bench scripts beside this one call it. Not part of the build or the tests.
#
#   kernels/bench/java-main.sh MIN_HEAP MAX_HEAP MAIN_CLASS [args...]
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$repo"
./mvnw -q -o -pl kernels test-compile
min_heap="$1"
max_heap="$2"
main="$3"
shift 3
classes="kernels/target/classes:kernels/target/test-classes"
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xms"$min_heap" -Xmx"$max_heap" \
    -cp "$classes" "$main" "$@"
