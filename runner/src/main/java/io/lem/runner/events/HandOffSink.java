package io.lem.runner.events;

import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Hands each event to a thread of its own, which encodes and writes it through the wrapped sink, so that the threads
 * that emit (a runner's generation loop above all) pay for an append to a list and not for JSON encoding and a write
 * system call; {@link #later} hands over work that emits events (a batch's burst, its FLOPs estimates) the same way.
 * Why: a small model's decode step takes ~0.14 ms on a 2-core VM, and encoding and spooling its burst of step events
 * on the generation thread cost it 10-15 % of its time (JFR of the run-overhead bench).
 *
 * <p>The worker takes what has arrived every 50 ms, not at each event:
 * an emitting thread that woke the worker would often lose its core to it (on 2 cores the tiny model's generation
 * thread was preempted ~350 times in a 0.8 s window that way, against ~30 times in a bare loop). With nothing queued
 * it does not wake at all: the first item queued wakes it, and it takes what has arrived 50 ms later (a timed take
 * also when idle woke it 20 times a second through a SmolLM2-sized run's 3 s batches, each wake-up a preemption of
 * the generation thread on a host that the generation saturates). So a crash of the
 * JVM can lose up to one interval of events more than a synchronous sink (the generation loop already holds up to a
 * batch of them, at most a second, before sending). Each take is one burst of the wrapped sink
 * ({@link EventSink#beginBurst}): the spool writes it with one system call, where one per event was half of this
 * thread's CPU on the quickstart's model. Order is kept: events reach the wrapped sink in the order
 * {@link #send} accepted them. {@link #flush} and {@link #drain} call the worker at once and return when every event
 * accepted before them has reached the wrapped sink; {@link #close} does the same, then closes the wrapped sink.
 *
 * <p>A failure of the wrapped sink happens on the worker, after {@code send} returned, so it cannot keep the failed
 * event's seq unused as a synchronous sink does: the stream gets a gap there, which the aggregator reports. The worker
 * goes on with the next events (a disk that was full for a moment takes them). {@link #failure()} tells the emitting
 * side, which polls it where it can stop (the runner does at every generation callback, as for a cancellation);
 * {@link #flush()} throws it, since not everything sent is durable. {@code send} does not throw it: the thread that
 * emits next (a power sampler, say) is not the one that should stop. The one exception is the stream's last event,
 * which {@code send} writes before it returns, so that the process knows whether its stream got an end. Thread-safe.
 */
public final class HandOffSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(HandOffSink.class);
    /** How long close waits for the worker to drain the queue into the wrapped sink. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    /** How often the worker takes what has arrived, unless someone waits for it. */
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final EventSink delegate;
    private final Thread worker;
    private final Object lock = new Object();
    /** Events and tasks ({@link #later}), in order. */
    private ArrayList<Object> queue = new ArrayList<>(256);
    private long accepted;
    private long written;
    /** Threads waiting for the worker (flush, drain, a stream's last event): it does not wait out its interval. */
    private int waiters;
    /** The worker waits for anything to be queued (nothing was): the next {@link #enqueue} wakes it. */
    private boolean idle;
    /** Times the worker woke from a wait (tests: an idle sink must not wake). */
    private long wakeups;
    private boolean closing;
    private volatile RuntimeException failure;
    /** The last event the wrapped sink refused, and what it threw. */
    private LemEvent refused;
    private RuntimeException refusal;

    /**
     * Wraps {@code delegate}; the worker thread {@code name} starts with the first event. It is a daemon: a sink that
     * is never closed does not keep the JVM alive, and {@link #close()} drains it before the wrapped sink closes.
     */
    public HandOffSink(EventSink delegate, String name) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.worker = new Thread(this::work, Objects.requireNonNull(name, "name"));
        this.worker.setDaemon(true);
    }

    /**
     * Queues the event for the worker. Throws only when this sink is closed, except for the last event of a stream
     * ({@code ProcessCompleted}, {@code ProcessFailed}): that one waits until the wrapped sink took it and throws what
     * it threw for it, so that the process knows whether its stream has an end.
     */
    @Override
    public void send(LemEvent event) {
        Objects.requireNonNull(event, "event");
        long position = enqueue(event, event.type());
        if ((event instanceof ProcessCompleted || event instanceof ProcessFailed) && !onWorker()) {
            synchronized (lock) {
                awaitWritten(position);
                if (refused == event) {
                    throw refusal;
                }
            }
        }
    }

    /**
     * Runs {@code task} on the worker, in order with the events sent before and after it: for per-batch work that
     * emits events (the FLOPs estimates) and need not run on the thread that asks for it. The events the task emits
     * are queued behind everything sent before it ran. A task that throws is logged and skipped; it does not count as
     * a failure of the wrapped sink.
     *
     * @throws IllegalStateException when this sink is closed
     */
    public void later(Runnable task) {
        enqueue(Objects.requireNonNull(task, "task"), "a task");
    }

    private boolean onWorker() {
        return Thread.currentThread() == worker;
    }

    /** Queues an event or a task; the worker may queue what its tasks emit even while the sink closes. */
    private long enqueue(Object item, String what) {
        synchronized (lock) {
            if (closing && !onWorker()) {
                throw new IllegalStateException("event sink is closed; " + what + " is not sent");
            }
            if (accepted == 0) {
                worker.start();
            }
            queue.add(item);
            accepted++;
            if (idle) {
                idle = false;
                lock.notifyAll();
            }
            return accepted;
        }
    }

    /**
     * Waits until every event accepted so far has reached the wrapped sink (taken or refused) and every task queued
     * so far has run; the events those tasks emitted are queued, in seq order, but not necessarily written yet.
     */
    public void drain() {
        synchronized (lock) {
            awaitWritten(accepted);
        }
    }

    /**
     * Waits until every event accepted so far has reached the wrapped sink, then flushes it; throws the wrapped sink's
     * first failure, if there was one, since an event it refused is not durable.
     */
    @Override
    public void flush() {
        drain();
        delegate.flush();
        RuntimeException failed = failure;
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * The first exception the wrapped sink threw for an event, as it threw it; null while it has taken every event.
     * Cheap: a volatile read, for polling between decode steps.
     */
    public RuntimeException failure() {
        return failure;
    }

    /**
     * Lets the worker write what is queued (waiting up to a minute for it), then closes the wrapped sink, which
     * delivers or persists within its own bounds. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            lock.notifyAll();
        }
        try {
            worker.join(DRAIN_TIMEOUT.toMillis()); // returns at once for a worker never started
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long left;
        synchronized (lock) {
            left = accepted - written;
        }
        if (worker.isAlive()) {
            LOG.warn("event hand-off thread {} did not finish within {} s; {} event(s) still queued are not written",
                    worker.getName(), DRAIN_TIMEOUT.toSeconds(), left);
        }
        delegate.close();
    }

    /**
     * Holding the lock: calls the worker and waits until the first {@code target} events accepted have reached the
     * wrapped sink.
     */
    private void awaitWritten(long target) {
        if (written >= target || onWorker()) {
            return;
        }
        boolean interrupted = false;
        waiters++;
        lock.notifyAll();
        try {
            while (written < target && worker.isAlive()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            waiters--;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Times the worker has woken from a wait so far. */
    long wakeups() {
        synchronized (lock) {
            return wakeups;
        }
    }

    private void fail(LemEvent event, RuntimeException e) {
        synchronized (lock) {
            refused = event;
            refusal = e;
        }
        if (failure == null) {
            failure = e;
            LOG.error("the event sink refused {} seq {}: {}", event.type(), event.envelope().seq(), e.toString());
        }
    }

    /**
     * Sends the events of one take, and runs its tasks, as one burst of the wrapped sink ({@link EventSink#beginBurst}):
     * a spool writes them with one system call rather than one per event. A burst that cannot be written is the
     * failure of its last event, so that a stream's last event (always the last of its burst) reports it.
     */
    private void deliver(List<Object> batch) {
        LemEvent last = null;
        try {
            delegate.beginBurst();
            for (Object item : batch) {
                if (item instanceof LemEvent event) {
                    last = event;
                    try {
                        delegate.send(event);
                    } catch (RuntimeException e) {
                        fail(event, e);
                    } catch (Error e) {
                        fail(event, new IllegalStateException(e.toString(), e));
                    }
                } else {
                    try {
                        ((Runnable) item).run();
                    } catch (RuntimeException | LinkageError e) {
                        LOG.warn("a task handed to the event thread failed: {}", e.toString());
                    }
                }
            }
        } finally {
            try {
                delegate.endBurst();
            } catch (RuntimeException e) {
                if (last != null) {
                    fail(last, e);
                } else {
                    LOG.warn("the event sink could not end a burst: {}", e.toString());
                }
            }
        }
    }

    private void work() {
        ArrayList<Object> batch = new ArrayList<>(256);
        while (true) {
            synchronized (lock) {
                // nothing queued: sleep until something is, however long that takes
                while (queue.isEmpty() && !closing) {
                    idle = true;
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // only close ends the worker; it is interrupted by nobody else
                    }
                    wakeups++;
                }
                idle = false;
                // then wait out the interval, unless the sink closes or someone waits for what is queued
                long deadline = System.nanoTime() + INTERVAL_NANOS;
                for (long left = INTERVAL_NANOS; left > 0 && !closing && !(waiters > 0 && !queue.isEmpty());
                     left = deadline - System.nanoTime()) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        // only close ends the worker; it is interrupted by nobody else
                    }
                    wakeups++;
                }
                if (queue.isEmpty()) {
                    if (closing) {
                        return; // everything is written
                    }
                    continue;
                }
                ArrayList<Object> taken = queue;
                queue = batch;
                batch = taken;
            }
            deliver(batch);
            int sent = batch.size();
            batch.clear();
            synchronized (lock) {
                written += sent;
                lock.notifyAll();
            }
        }
    }
}
