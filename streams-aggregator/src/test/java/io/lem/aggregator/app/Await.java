package io.lem.aggregator.app;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition with a timeout, checking it every 50 ms. The polling interval is not a synchronization. */
public final class Await {
    private Await() {
    }

    public static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(50);
        }
        AssertionError error = new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
        if (last != null) {
            error.initCause(last);
        }
        throw error;
    }
}
