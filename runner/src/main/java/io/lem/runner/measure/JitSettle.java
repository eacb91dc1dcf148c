package io.lem.runner.measure;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Waits, before a measured window opens, until the JVM's JIT compilers have gone quiet: the set-up just before it
 * (loading weights and the tokenizer, opening plugins and the event sink, the warm-up batch) leaves compilations
 * queued that otherwise run during the window, on cores the generation uses, and whose energy the window would count.
 * Measured on the 2-core development VM with the quickstart's model: the first ~100 ms of a 250 ms window ran at half
 * speed while the compilers worked off that backlog.
 *
 * <p>Quiet means the JVM's total compilation time did not move over {@link #QUIET} (compilations that arrive later,
 * code reaching a higher tier during the window, still happen, as in any run). Bounded by the limit given; without
 * compilation time monitoring it returns at once.
 */
public final class JitSettle {

    /** How long the compilers must not have worked to count as quiet. */
    static final Duration QUIET = Duration.ofMillis(30);
    private static final long POLL_MILLIS = 5;

    private JitSettle() {
    }

    /**
     * Waits up to {@code limit} for the compilers to go quiet.
     *
     * @return how long it waited
     * @throws InterruptedException when interrupted while waiting
     */
    public static Duration await(Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported() || limit.isZero() || limit.isNegative()) {
            return Duration.ZERO;
        }
        long deadline = start + limit.toNanos();
        long last = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < QUIET.toNanos() && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
