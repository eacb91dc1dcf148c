package io.lem.aggregator.topology;

/**
 * When this application instance last folded an event, over all its tasks and threads: its input is quiet only when
 * none of them is busy. One per built topology, i.e. per instance.
 */
final class EventActivity {
    private volatile long lastEventMs; // 0: quiet since the epoch

    void onEvent(long nowMs) {
        lastEventMs = nowMs;
    }

    /** True when no event arrived in the last {@code millis}. */
    boolean quietFor(long nowMs, long millis) {
        return nowMs - lastEventMs >= millis;
    }
}
