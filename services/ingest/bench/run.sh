#!/usr/bin/env bash
# Ingest throughput against the ffmpeg CLI on this machine: generates a 720p and a 1080p H.264 sample
# (10 s at 30 fps, with SampleVideo), starts the local Kafka broker, and prints frames/s and ratios.
#   services/ingest/bench/run.sh [seconds] [repetitions]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "installing Debian's ffmpeg (the baseline) ..."
  sudo=""; [[ "$(id -u)" != 0 ]] && sudo="sudo"
  $sudo apt-get install -y ffmpeg >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y ffmpeg >/dev/null; }
fi

offline=""; [[ -d "$HOME/.m2/repository/org/bytedeco/javacv" ]] && offline="-o"
./mvnw -q $offline -pl services/ingest test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
module="services/ingest"
exec java --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
  -cp "$module/target/classes:$module/target/test-classes:$(cat "$module/target/bench.classpath")" \
  dev.vstream.ingest.bench.IngestBenchmark "$module/target/bench" "${1:-10}" "${2:-3}"
