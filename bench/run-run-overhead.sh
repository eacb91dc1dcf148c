#!/usr/bin/env bash
# Measures what lem's measurement and event emission cost a run (see bench/README.md).
#   bench/run-run-overhead.sh [--model NAME]... [--repeats N] [--prompts N] [--batch-size B] [--new-tokens T]
#                             [--sink kafka|file] [--control] [--warmup-pairs N]
# Builds the bench and what it needs, then runs io.lem.bench.RunOverheadBench from the repository root.
# Without --model it runs the two default models one after the other, each in a JVM of its own and with the PyTorch
# threads a runner of that size gets: the quickstart's tiny model with the share of the cores each of the
# quickstart's 2 processes gets from `lem run`, the SmolLM2-sized model with all cores.
# Extra Maven flags (e.g. -o for offline) in LEM_MVN_FLAGS; LEM_BENCH_SKIP_BUILD=1 skips the build.
# Exit status: 0 PASS, 1 FAIL, 2 usage error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a mvn_flags <<< "${LEM_MVN_FLAGS:-}"

if [[ "${LEM_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests -pl bench -am package
fi

bench() {
  java --add-modules jdk.incubator.vector "$@" -Dai.djl.offline=true \
    -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.lem.bench.RunOverheadBench "${args[@]}"
}

args=("$@")
read -r -a java_opts <<< "${LEM_BENCH_JAVA_OPTS:-}"
if [[ " $* " == *" --model "* ]]; then
  bench ${java_opts[@]+"${java_opts[@]}"}
  exit $?
fi

cores=$(nproc)
quickstart_threads=$(( cores / 2 > 0 ? cores / 2 : 1 ))
status=0
args=(--model lem-synthetic/tiny-llama "$@")
bench -Dai.djl.pytorch.num_threads="$quickstart_threads" ${java_opts[@]+"${java_opts[@]}"} || status=$?
args=(--model lem-synthetic/smollm2-135m "$@")
bench ${java_opts[@]+"${java_opts[@]}"} || status=$(( status > $? ? status : $? ))
exit "$status"
