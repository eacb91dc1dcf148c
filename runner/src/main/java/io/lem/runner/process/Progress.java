package io.lem.runner.process;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a runner process is, reported after each step to a {@link ProgressListener}; {@link RunnerMain} prints it as a
 * {@code LEM-PROGRESS} line.
 *
 * @param processIndex the process
 * @param phase        {@link #STARTED} (model loaded, ProcessStarted emitted; {@code batches} = measured batches
 *                     planned), {@link #WARMUP} (a warm-up batch finished) or {@link #RUN} (a measured batch finished)
 * @param batch        batches of this phase finished so far (1-based after the first); 0 for {@code started}
 * @param batches      batches of this phase in all
 * @param inputTokens  real prompt tokens of the phase so far
 * @param outputTokens generated tokens of the phase so far
 * @param elapsedNanos since {@link RunnerProcess#run()} began
 * @param powerWatts   the latest power reading per device key this process measures (sorted by key; empty when
 *                     none reads power yet)
 */
public record Progress(int processIndex, String phase, int batch, int batches, long inputTokens, long outputTokens,
                       long elapsedNanos, Map<String, Double> powerWatts) {

    public Progress {
        powerWatts = Collections.unmodifiableMap(new TreeMap<>(powerWatts));
    }

    public static final String STARTED = "started";
    public static final String WARMUP = "warmup";
    public static final String RUN = "run";
}
