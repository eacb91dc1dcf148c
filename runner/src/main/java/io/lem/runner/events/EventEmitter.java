package io.lem.runner.events;

import io.lem.api.event.Envelope;
import io.lem.api.event.EpochClock;
import io.lem.api.event.EventKey;
import io.lem.api.event.LemEvent;

import java.util.Objects;
import java.util.function.Function;

/**
 * The one place a process's envelopes come from: experiment id, process index, host, and the gap-free per-process
 * {@code seq}. Several threads (the generation loop, a power sampler) emit at once; numbering an event and handing it to
 * the sink happen under one lock, so the sink sees events in exactly seq order.
 */
public final class EventEmitter {
    private final String experimentId;
    private final int processIndex;
    private final String host;
    private final EventSink sink;
    private final Object lock = new Object();
    private long nextSeq;
    private volatile long lastSeq;

    /** An emitter whose first event gets seq 0. */
    public EventEmitter(String experimentId, int processIndex, String host, EventSink sink) {
        this(experimentId, processIndex, host, sink, 0);
    }

    /** An emitter that continues a process's numbering at {@code firstSeq} (a resumed process). */
    public EventEmitter(String experimentId, int processIndex, String host, EventSink sink, long firstSeq) {
        this.experimentId = Objects.requireNonNull(experimentId, "experimentId");
        this.processIndex = processIndex;
        this.host = Objects.requireNonNull(host, "host");
        this.sink = Objects.requireNonNull(sink, "sink");
        if (firstSeq < 0) {
            throw new IllegalArgumentException("firstSeq must be >= 0, was " + firstSeq);
        }
        this.nextSeq = firstSeq;
        this.lastSeq = firstSeq - 1;
        // Validates the key parts the same way every envelope will.
        Envelope.now(experimentId, processIndex, firstSeq, host);
    }

    /**
     * Builds the next event around a fresh envelope and sends it. The factory must return an event carrying exactly
     * the envelope it was given. If the factory or the sink throws, the seq is not used up, so numbering stays gap-free.
     *
     * @return the event as sent
     */
    public <T extends LemEvent> T emit(Function<Envelope, T> factory) {
        return emit(factory, false, 0, 0);
    }

    /**
     * As {@link #emit(Function)}, for a reading taken earlier: the envelope carries the instant of the reading
     * ({@link EpochClock#nowEpochNanos()} and {@link System#nanoTime()} then) instead of now, and the next seq.
     */
    public <T extends LemEvent> T emitAt(long timeEpochNanos, long monoNanos, Function<Envelope, T> factory) {
        return emit(factory, true, timeEpochNanos, monoNanos);
    }

    private <T extends LemEvent> T emit(Function<Envelope, T> factory, boolean at, long epochNanos, long monoNanos) {
        Objects.requireNonNull(factory, "factory");
        synchronized (lock) {
            Envelope envelope = at ? Envelope.at(experimentId, processIndex, nextSeq, host, epochNanos, monoNanos)
                    : Envelope.now(experimentId, processIndex, nextSeq, host);
            T event = Objects.requireNonNull(factory.apply(envelope), "factory returned null");
            if (!envelope.equals(event.envelope())) {
                throw new IllegalArgumentException("the factory must build the event on the envelope it is given, got "
                        + event.envelope() + " for seq " + nextSeq);
            }
            sink.send(event);
            lastSeq = nextSeq;
            nextSeq++;
            return event;
        }
    }

    /** The seq of the last event sent, or {@code firstSeq - 1} (normally -1) before the first. */
    public long lastSeq() {
        return lastSeq;
    }

    /** The seq the next event will get. */
    public long nextSeq() {
        synchronized (lock) {
            return nextSeq;
        }
    }

    /** The Kafka key of this process, {@code experimentId/processIndex}. */
    public String key() {
        return EventKey.of(experimentId, processIndex);
    }

    public String experimentId() {
        return experimentId;
    }

    public int processIndex() {
        return processIndex;
    }

    public String host() {
        return host;
    }
}
