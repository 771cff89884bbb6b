#!/usr/bin/env bash
# Context prefill (dense vs sparse) and time to first token against STAR memory size (681, ~12K, ~78K tokens) on
# the generated demo SambaY: dev.vstream.memory.bench.ContextBenchmark (see its javadoc for the options).
# Usage: services/memory/bench/context.sh [--vision=256] [--token-type=F16] [--runs=7] [--prefill-runs=3] [--long-dense-runs=1] ...
# Builds the module and the modules it depends on (offline), assembles the test classpath (sibling modules as their
# target/classes), then runs the bench main. About 2-3 GB of heap at the default sizes; -Xmx10g leaves room.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
module="$root/services/memory"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$module/target/context-bench.classpath"
(cd "$root" && ./mvnw -q -o -pl services/memory -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file")
cd "$root"
exec "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -Xms2g -Xmx10g -XX:+UseParallelGC \
  -cp "$module/target/classes:$module/target/test-classes:$(cat "$cp_file")" \
  dev.vstream.memory.bench.ContextBenchmark "$@"
