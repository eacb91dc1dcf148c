package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Matrix-vector products split by output rows over two JVM threads, for single-token passes. Batch-1 decode streams
 * every weight once per step; a single core's MKL gemv reads only ~14-18 GB/s here, and MKL does not split a gemv
 * over its own threads well (same rate with two), so the rows are halved and the halves are issued concurrently from
 * two threads, one PyTorch intra-op thread each. The halves are row views of the weight (no copy).
 *
 * <p>On by default when more than one intra-op thread is configured; {@code -Dlem.engine.split-matvec=false} turns it
 * off, {@code =true} forces it on (tests run one thread but must cover this path).
 */
public final class SplitMatVec {

    private static volatile Boolean forced = parse(System.getProperty("lem.engine.split-matvec"));

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lem-matvec");
        t.setDaemon(true);
        return t;
    });

    private SplitMatVec() {
    }

    private static Boolean parse(String value) {
        return value == null || value.equalsIgnoreCase("auto") ? null : Boolean.valueOf(value);
    }

    /** Whether single-token passes split their products: when forced, else when more than one thread is configured. */
    public static boolean active() {
        Boolean f = forced;
        return f != null ? f : IntraOpThreads.configured() > 1;
    }

    /** Forces the split on or off; null restores the default (on with more than one configured thread). */
    public static void force(Boolean on) {
        forced = on;
    }

    /** Row halves {@code [0, at)} and {@code [at, rows)} of {@code w} as views (attached to w's manager). */
    public static NDArray[] halves(NDArray w, long at) {
        long rows = w.getShape().get(0);
        return new NDArray[] {w.get("0:" + at), w.get(at + ":" + rows)};
    }

    /**
     * {@code top · x} and {@code bottom · x}, the second computed on the worker thread while this one computes the
     * first; both attached to {@code x}'s manager.
     */
    public static NDArray[] multiply(NDArray top, NDArray bottom, NDArray x) {
        Future<NDArray> other = WORKER.submit(() -> bottom.matMul(x));
        NDArray first = top.matMul(x);
        first.attach(x.getManager());
        NDArray second;
        try {
            second = other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while multiplying", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new EngineException(e.getCause().getMessage(), e);
        }
        second.attach(x.getManager());
        return new NDArray[] {first, second};
    }
}
