package io.lem.runner.events;

import io.lem.api.event.LemEvent;

/**
 * Where a process's events go. Implementations are thread-safe; callers (normally an {@link EventEmitter}) hand events
 * over in {@code seq} order.
 */
public interface EventSink extends AutoCloseable {

    /**
     * Accepts one event. Fast and non-blocking on the network: a sink never throws because a broker is down. It throws
     * only for programming errors (wrong process, out-of-order seq, sink closed) or a local disk failure.
     */
    void send(LemEvent event);

    /**
     * Starts a burst: until {@link #endBurst}, the sink may gather what is sent into fewer writes. For a thread that
     * sends many events in one go ({@link HandOffSink}'s worker). Default: nothing to gather.
     */
    default void beginBurst() {
    }

    /**
     * Ends a burst: what was sent since {@link #beginBurst} is written where it survives this process (not fsynced:
     * that is {@link #flush}). Throws what a {@link #send} would have thrown for a failed write.
     */
    default void endBurst() {
    }

    /** Returns when every event sent so far is durable: acknowledged by its destination or fsynced locally. */
    void flush();

    /** Delivers or persists what is pending, within a bounded time, and releases resources. Idempotent. */
    @Override
    void close();
}
