#!/usr/bin/env bash
# Throughput, freshness and replay time of the lem aggregator (exactly-once) on a real embedded Kafka, against a
# plain-consumer baseline (see bench/README.md).
#   bench/run-aggregator-bench.sh [E P N] [--fresh-rate R] [--fresh-seconds S] [--commit-interval-ms MS]
#                                 [--cache-mb MB] [--threads N] [--skip-freshness|--skip-baseline|--skip-replay]
#                                 [--stack-sampling] [--keep-dir]
# Defaults: 20 experiments x 4 processes x >= 12,500 events (>= 1,000,000 events), 3,000 events/s for 10 s of
# freshness. Builds the bench and what it needs, then runs io.lem.bench.AggregatorBench on its runtime class path.
# Environment:
#   LEM_MVN_FLAGS        extra Maven flags (e.g. -o for offline)
#   LEM_BENCH_SKIP_BUILD 1 to run what bench/target already holds
#   LEM_BENCH_HEAP       -Xmx of the bench JVM (default 4g)
#   LEM_BENCH_JAVA_OPTS  more JVM options
#   LEM_BENCH_JFR        a file name: record the run with JFR (settings=profile) and print its hot spots afterwards
#                        (io.lem.bench.JfrHotSpots; the recording costs some CPU, so do not compare its figures)
# Exit status: 0 when every target passes, 1 when one fails, 2 on a usage error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a mvn_flags <<< "${LEM_MVN_FLAGS:-}"

if [[ "${LEM_BENCH_SKIP_BUILD:-}" != 1 ]]; then
  if grep -q '<module>bench</module>' pom.xml; then
    ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests -pl bench -am package
  else
    # bench is not (yet) a module of the root build: install what it depends on, then build it alone
    ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests install \
      -pl streams-aggregator,embedded-broker,events-kafka,runner,plugins/nvml,plugins/rapl,plugins/cpu-model,plugins/ram-model,plugins/carbon,plugins/flops -am
    ./mvnw -B -q ${mvn_flags[@]+"${mvn_flags[@]}"} -DskipTests -f bench/pom.xml package
  fi
fi

classpath="bench/target/classes:$(cat bench/target/classpath.txt)"
# A fixed heap: the pre-encoded events (about 300 MB at the default sizes) live in it until they are produced.
read -r -a java_opts <<< "-Xms1g -Xmx${LEM_BENCH_HEAP:-4g} ${LEM_BENCH_JAVA_OPTS:-}"
if [[ -n "${LEM_BENCH_JFR:-}" ]]; then
  java_opts+=("-XX:StartFlightRecording=filename=${LEM_BENCH_JFR},settings=profile,dumponexit=true")
fi

status=0
java "${java_opts[@]}" -cp "$classpath" io.lem.bench.AggregatorBench "$@" || status=$?

if [[ -n "${LEM_BENCH_JFR:-}" && -f "${LEM_BENCH_JFR}" ]]; then
  echo
  echo "==== JFR hot spots: the live aggregator's stream threads ===="
  java -cp "$classpath" io.lem.bench.JfrHotSpots "$LEM_BENCH_JFR" --threads '^lem-aggregator-.*StreamThread-[0-9]+$'
  echo
  echo "==== JFR hot spots: the replay's stream threads ===="
  java -cp "$classpath" io.lem.bench.JfrHotSpots "$LEM_BENCH_JFR" --threads '^lem-replay\..*StreamThread-[0-9]+$' \
    | sed -n '/^threads matching/,$p'
fi
exit "$status"
