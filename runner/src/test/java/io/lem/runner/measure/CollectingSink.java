package io.lem.runner.measure;

import io.lem.api.event.LemEvent;
import io.lem.runner.events.EventSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every event in the order sent; tests wait on a condition over them (no sleeping). */
final class CollectingSink implements EventSink {
    private final List<LemEvent> events = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized void send(LemEvent event) {
        if (closed) {
            throw new IllegalStateException("sink closed");
        }
        events.add(event);
        notifyAll();
    }

    synchronized List<LemEvent> events() {
        return List.copyOf(events);
    }

    <T extends LemEvent> List<T> events(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits until the events sent so far satisfy {@code condition}; fails after {@code timeout}. */
    synchronized void await(String what, Duration timeout, Predicate<List<LemEvent>> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; have " + events.size() + " events");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
