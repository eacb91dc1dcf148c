package io.lem.runner.events;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, polling; fails with a description when it does not come true in time. */
final class Conditions {
    private Conditions() {
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
