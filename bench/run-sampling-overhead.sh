#!/usr/bin/env bash
# Measures the CPU cost of lem's power sampling (see bench/README.md).
#   bench/run-sampling-overhead.sh [seconds (default 30)] [--interval-ms N (default 100)]
# Builds the bench and what it needs, then runs io.lem.bench.SamplingOverheadBench on its runtime class path.
# Extra Maven flags (e.g. -o for offline) can be passed in LEM_MVN_FLAGS. Exit status: 0 PASS, 1 FAIL.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a mvn_flags <<< "${LEM_MVN_FLAGS:-}"

if grep -q '<module>bench</module>' pom.xml; then
  ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests -pl bench -am package
else
  # bench is not (yet) a module of the root build: install what it depends on, then build it alone
  ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests install \
    -pl runner,plugins/nvml,plugins/rapl,plugins/cpu-model,plugins/ram-model,plugins/carbon,plugins/flops -am
  ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests -f bench/pom.xml package
fi

exec java ${LEM_BENCH_JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.lem.bench.SamplingOverheadBench "$@"
