package io.lem.runner.measure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for a while; tests inject one that advances a fake clock instead. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    /** Waits at least {@code duration} of {@link System#nanoTime()}. */
    static Sleeper monotonic() {
        return duration -> {
            long deadline = System.nanoTime() + duration.toNanos();
            for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        };
    }
}
