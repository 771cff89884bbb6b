#!/usr/bin/env bash
# Benchmark of the STAR memory at the paper's sizes (dev.vstream.memory.star.StarMemoryBenchmark).
# Usage: services/memory/bench/run.sh [minutes of 1 fps stream, default 60]
# Builds the module's main and test classes (offline), then runs the bench main on them; the memory
# packages need nothing but the JDK, so no dependency classpath is assembled.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
module="$root/services/memory"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
(cd "$root" && ./mvnw -q -o -pl services/memory test-compile)
exec "$JAVA_HOME/bin/java" -Xms1g -Xmx1g -XX:+UseParallelGC \
  -cp "$module/target/classes:$module/target/test-classes" \
  dev.vstream.memory.star.StarMemoryBenchmark "${1:-60}"
