package io.lem.api.event;

import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fields every event carries. In JSON they sit at the top level of the event object, beside {@code type}.
 *
 * @param v              schema version of the event ({@link LemEvent#SCHEMA_VERSION} when written by this version)
 * @param eventId        random UUID, unique per event (a re-sent event keeps its id)
 * @param experimentId   experiment the event belongs to
 * @param processIndex   runner process index (0..n-1); {@link LemEvent#LAUNCHER_PROCESS_INDEX} for the launcher
 * @param seq            per-process sequence number, gap-free, starting at 0
 * @param host           host name of the emitting process
 * @param timeEpochNanos wall clock at emission, nanoseconds since the Unix epoch; for a sampled reading
 *                       ({@code PowerSample}, {@code MemorySample}) the instant it was read, which may precede the
 *                       emission of events with lower seqs by up to a second (samples are sent in bursts)
 * @param monoNanos      monotonic clock at the same instant ({@code System.nanoTime()}), comparable only within one
 *                       process
 */
public record Envelope(int v, String eventId, String experimentId, int processIndex, long seq, String host,
                       long timeEpochNanos, long monoNanos) {

    public Envelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(host, "host");
        if (experimentId.isBlank()) {
            throw new IllegalArgumentException("experimentId must not be blank");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, was " + seq);
        }
        if (processIndex < LemEvent.LAUNCHER_PROCESS_INDEX) {
            throw new IllegalArgumentException("processIndex must be >= -1, was " + processIndex);
        }
    }

    /** A fresh envelope for the current instant with a new random event id. */
    public static Envelope now(String experimentId, int processIndex, long seq, String host) {
        long epochNanos = EpochClock.nowEpochNanos();
        return new Envelope(LemEvent.SCHEMA_VERSION, randomEventId(), experimentId, processIndex, seq,
                host, epochNanos, System.nanoTime());
    }

    /** An envelope for an instant taken earlier (a sampled reading), with a new random event id. */
    public static Envelope at(String experimentId, int processIndex, long seq, String host, long timeEpochNanos,
                              long monoNanos) {
        return new Envelope(LemEvent.SCHEMA_VERSION, randomEventId(), experimentId, processIndex, seq, host,
                timeEpochNanos, monoNanos);
    }

    /**
     * A random (version 4) UUID from a non-cryptographic generator: event ids need uniqueness, not secrecy, and
     * {@link UUID#randomUUID()} goes through SecureRandom on every event of the sampling hot path.
     */
    static String randomEventId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;            // version 4
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | Long.MIN_VALUE; // IETF variant
        return new UUID(most, least).toString();
    }

    /** The Kafka record key of this event: {@code experimentId/processIndex}. */
    public String key() {
        return EventKey.of(experimentId, processIndex);
    }
}
