package io.lem.runner.process;

import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.runner.events.EventSink;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sink of a runner process, which refuses every event after the process's terminal event (ProcessCompleted or
 * ProcessFailed), so that it stays the last one even when a cancellation ends the stream from another thread. Closes
 * the wrapped sink once.
 */
final class EndGuardSink implements EventSink {

    private final EventSink delegate;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean ended;

    EndGuardSink(EventSink delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "sink");
    }

    @Override
    public void send(LemEvent event) {
        if (ended) {
            throw new IllegalStateException("the event stream of this process has ended; " + event.type()
                    + " is not sent");
        }
        delegate.send(event);
        if (event instanceof ProcessCompleted || event instanceof ProcessFailed) {
            ended = true;
        }
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            delegate.close();
        }
    }
}
