package io.lem.runner.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs two pieces of work at once: one on the calling thread, one on a dedicated daemon worker. Both sides spin
 * briefly ({@link #spinNanos}) before parking, so back-to-back hand-offs (the products of a decode step) skip the
 * park/unpark round trip (~20 µs here), while a hand-off that has to wait longer (the other core busy with another
 * process) gives the core up instead of spinning on it. One caller at a time (calls are serialized).
 */
final class PairWorker {

    private final long spinNanos;
    private final Thread thread;
    private volatile Runnable task;
    private volatile boolean done;
    private volatile boolean workerParked;
    private volatile Thread waiter;
    private Throwable failure;

    PairWorker(String name, long spinMicros) {
        this.spinNanos = TimeUnit.MICROSECONDS.toNanos(spinMicros);
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code mine} here and {@code other} on the worker; returns when both are done, rethrowing a failure. */
    synchronized void run(Runnable mine, Runnable other) {
        failure = null;
        done = false;
        task = other;
        if (workerParked) {
            LockSupport.unpark(thread);
        }
        Throwable own = null;
        try {
            mine.run();
        } catch (Throwable e) {
            own = e;
        }
        awaitDone();
        Throwable f = own != null ? own : failure;
        if (f instanceof RuntimeException r) {
            throw r;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new EngineException(f.getMessage(), f);
        }
    }

    private void awaitDone() {
        if (done) {
            return;
        }
        long start = System.nanoTime();
        int i = 0;
        while (!done) {
            if ((++i & 63) != 0 || System.nanoTime() - start < spinNanos) {
                Thread.onSpinWait();
            } else {
                waiter = Thread.currentThread();
                if (!done) {
                    LockSupport.park(this);
                }
                waiter = null;
            }
        }
    }

    private void loop() {
        while (true) {
            Runnable t = task;
            if (t == null) {
                long start = System.nanoTime();
                int i = 0;
                while ((t = task) == null) {
                    if ((++i & 63) != 0 || System.nanoTime() - start < spinNanos) {
                        Thread.onSpinWait();
                    } else {
                        workerParked = true;
                        if (task == null) {
                            LockSupport.park(this);
                        }
                        workerParked = false;
                    }
                }
            }
            task = null;
            try {
                t.run();
            } catch (Throwable e) {
                failure = e;
            }
            done = true;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }
}
