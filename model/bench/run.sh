#!/usr/bin/env bash
# Prefill and decode speed of Nemotron-Flash-1B and Phi-4-mini-flash-reasoning at their real
# dimensions with random bf16 weights, against the GEMM peak and the memory read bandwidth
# measured in the same run. Not part of the build or the tests.
#
#   model/bench/run.sh [--threads=1,2] [--prefill=512,2048] [--decode-steps=16] [--rounds=2]
#                      [--phi4-layers=8] [--models=nemotron,phi4] [--dir=/tmp] [--bandwidth-mib=512]
#
# With --bench=decode-batch first: batched decode steps (LanguageModel.decodeBatch) against one step per
# answer, B = 1 .. 16 answers (DecodeBatchBenchmark; options in its javadoc).
#
# Disk: the random checkpoint is written to --dir and deleted after its model (Nemotron-Flash-1B
# 1.9 GB; Phi-4-mini-flash 1.0 GB embedding + about 0.21 GB per layer, 7.7 GB at all 32 layers).
# Memory: the checkpoint should stay in the page cache, plus about 2 GB of heap and buffers.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$repo"
# Compile the model module (main + test classes: the benchmark lives in the test tree); kernels
# come from the local repository (install them first if they changed).
./mvnw -q -o -pl model test-compile

classes="model/target/classes:model/target/test-classes"
deps="$(./mvnw -q -o -pl model dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)"
main=dev.vstream.model.bench.HybridModelBenchmark
if [[ "${1:-}" == --bench=decode-batch ]]; then
    main=dev.vstream.model.bench.DecodeBatchBenchmark
    shift
fi
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -XX:+UseParallelGC -Xms1g -Xmx3g -cp "$classes:$deps" "$main" "$@"
