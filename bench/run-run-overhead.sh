#!/usr/bin/env bash
# Measures what lem's measurement and event emission cost a run (see bench/README.md).
#   bench/run-run-overhead.sh [--model NAME]... [--repeats N] [--prompts N] [--batch-size B] [--new-tokens T]
# Builds the bench and what it needs, then runs io.lem.bench.RunOverheadBench from the repository root.
# Extra Maven flags (e.g. -o for offline) in LEM_MVN_FLAGS; LEM_BENCH_SKIP_BUILD=1 skips the build.
# Exit status: 0 PASS, 1 FAIL, 2 usage error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a mvn_flags <<< "${LEM_MVN_FLAGS:-}"

if [[ "${LEM_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests -pl bench -am package
fi

exec java --add-modules jdk.incubator.vector ${LEM_BENCH_JAVA_OPTS:-} -Dai.djl.offline=true \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.lem.bench.RunOverheadBench "$@"
