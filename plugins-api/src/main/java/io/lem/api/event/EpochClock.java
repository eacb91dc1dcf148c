package io.lem.api.event;

import java.time.Instant;

/** Wall-clock time in nanoseconds since the Unix epoch, at the best resolution the JDK offers. */
public final class EpochClock {
    private EpochClock() {
    }

    public static long nowEpochNanos() {
        Instant now = Instant.now();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }
}
