#!/usr/bin/env bash
# Benchmarks of the memories at the papers' sizes, 16x16x1024 inputs at 1 fps:
#   star  (default) dev.vstream.memory.star.StarMemoryBenchmark   681 tokens
#   flash           dev.vstream.memory.flash.FlashMemoryBenchmark 11,520 tokens
# Usage: services/memory/bench/run.sh [minutes of stream, default 60] [star|flash]
# Builds the module's main and test classes (offline), then runs the bench main on them; the memory
# packages need nothing but the JDK, so no dependency classpath is assembled.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
module="$root/services/memory"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
case "${2:-star}" in
  star) main=dev.vstream.memory.star.StarMemoryBenchmark ;;
  flash) main=dev.vstream.memory.flash.FlashMemoryBenchmark ;;
  *) echo "usage: $0 [minutes] [star|flash]" >&2; exit 2 ;;
esac
(cd "$root" && ./mvnw -q -o -pl services/memory test-compile)
exec "$JAVA_HOME/bin/java" -Xms2g -Xmx2g -XX:+UseParallelGC \
  -cp "$module/target/classes:$module/target/test-classes" "$main" "${1:-60}"
