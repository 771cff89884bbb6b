#!/usr/bin/env bash
# Load bench of the local stack (./vstream demo's wiring: broker child JVM, memory and QA in one process, one shared
# demo model, contexts handed over in memory): N streams at 1 frame/s and M REST questions/s per run, a fresh stack
# per run; prints a markdown table (also kept in services/local/target/load-bench.md, full log in load-bench.log).
# Usage: services/local/bench/load.sh [--streams 1,4,8] [--qps 1,2,4] [--seconds 60] [--warmup 15] [--clients 4]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
module="$root/services/local"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [[ "${VSTREAM_SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$root" && ./mvnw -q -o install -DskipTests)
fi
classpath="$module/target/test-classes:$module/target/classes:$(cat "$module/target/classpath.txt")"
log="$module/target/load-bench.log"
echo "load bench on $(nproc) cores, $(uptime)" | tee "$log"
"$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
  -cp "$classpath" dev.vstream.local.LoadBenchmark "$@" 2>&1 | tee -a "$log"
echo "after the bench: $(uptime)" | tee -a "$log"
# The final table alone.
awk '/^### LoadBenchmark results/{p=1} p' "$log" > "$module/target/load-bench.md"
