package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import io.lem.api.event.EventKey;
import io.lem.api.event.LemEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Sends one process's events to Kafka without losing any and without duplicating any seq.
 *
 * <p>{@link #send} only appends the encoded event to the process's spool file (a write, no fsync) and returns; a
 * background thread tails the spool into an idempotent {@code acks=all} producer, reads the partition back to prove
 * which seqs landed, and cuts proven lines off the spool. When Kafka is unreachable or a send fails, events keep
 * accumulating in the spool and are re-sent in order once the broker answers, skipping the seqs already in the topic.
 * {@link #flush} and a timer fsync the spool. {@link #close} waits up to the close timeout, then leaves the unproven
 * rest in the spool and says how to import it. The next sink of the same process delivers such a left-over spool.
 *
 * <p>Thread-safe; events must arrive in seq order, as an {@link EventEmitter} delivers them.
 */
public final class KafkaEventSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);
    /** Beyond the close timeout, how long close waits for a Kafka call in progress to return. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final KafkaSinkSettings settings;
    private final String key;
    private final SpoolFile spool;
    private final SpoolDelivery delivery;
    private final Thread thread;
    private final EventCodec codec = new EventCodec();
    private final Object closeLock = new Object();
    private volatile boolean closed;

    private KafkaEventSink(KafkaSinkSettings settings, String key, SpoolFile spool, List<Path> leftovers) {
        this.settings = settings;
        this.key = key;
        this.spool = spool;
        this.delivery = new SpoolDelivery(settings, key, spool, leftovers);
        this.thread = new Thread(delivery, ClientProperties.clientId("events-delivery", key));
        this.thread.setDaemon(true);
    }

    /**
     * Opens the sink of one process and starts delivering in the background. Does not wait for Kafka: if it is down,
     * events are spooled until it is up. A spool left by an earlier sink of this process is delivered first.
     *
     * @throws UncheckedIOException when the spool directory cannot be written
     * @throws IllegalStateException when another open sink serves the same process with the same spool directory
     */
    public static KafkaEventSink open(KafkaSinkSettings settings, String experimentId, int processIndex) {
        Objects.requireNonNull(settings, "settings");
        String key = EventKey.of(Objects.requireNonNull(experimentId, "experimentId"), processIndex);
        try {
            SpoolFile spool = SpoolFile.open(settings.spoolDir(), experimentId, processIndex);
            List<Path> leftovers = spool.leftovers();
            if (!leftovers.isEmpty()) {
                LOG.info("found {} earlier spool(s) of {}; delivering them first: {}", leftovers.size(), key, leftovers);
            }
            KafkaEventSink sink = new KafkaEventSink(settings, key, spool, leftovers);
            sink.thread.start();
            return sink;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the event spool in " + settings.spoolDir(), e);
        }
    }

    /**
     * Delivers what earlier sinks of one process left in the spool directory (a runner killed before its sink could
     * deliver), skipping what the topic already holds: opens a sink of that process, which delivers leftovers first,
     * and closes it at once. For a supervisor whose runner died; never while that runner's sink is open.
     *
     * @return the spool files found, and those still there afterwards (Kafka unreachable: they stay for
     *         {@code lem events import})
     */
    public static Leftovers deliverLeftovers(KafkaSinkSettings settings, String experimentId, int processIndex)
            throws IOException {
        List<Path> found = SpoolFile.filesOf(settings.spoolDir(), experimentId, processIndex);
        if (found.isEmpty()) {
            return new Leftovers(List.of(), List.of());
        }
        open(settings, experimentId, processIndex).close();
        return new Leftovers(found, SpoolFile.filesOf(settings.spoolDir(), experimentId, processIndex));
    }

    /** What {@link #deliverLeftovers} found, and what is still undelivered. */
    public record Leftovers(List<Path> found, List<Path> remaining) {
        public Leftovers {
            found = List.copyOf(found);
            remaining = List.copyOf(remaining);
        }
    }

    /** Appends the event to the spool; the delivery thread does the rest. */
    @Override
    public void send(LemEvent event) {
        String eventKey = event.envelope().key();
        if (!key.equals(eventKey)) {
            throw new IllegalArgumentException("this sink carries the events of " + key + ", got one of " + eventKey);
        }
        byte[] encoded = codec.encode(event);
        try {
            spool.append(event.envelope().seq(), encoded);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write event to spool " + spool.path(), e);
        }
    }

    /** Gathers what is sent until {@link #endBurst} into one write to the spool ({@link SpoolFile#hold}). */
    @Override
    public void beginBurst() {
        spool.hold();
    }

    @Override
    public void endBurst() {
        try {
            spool.release();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write events to spool " + spool.path(), e);
        }
    }

    /** fsyncs the spool: every event sent so far survives a crash, whether or not Kafka has it yet. */
    @Override
    public void flush() {
        if (closed) {
            return;
        }
        try {
            spool.force();
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException("cannot fsync spool " + spool.path(), e);
            }
        }
    }

    /**
     * Waits up to the close timeout until every event is seen in the topic, then deletes the spool; what is not
     * confirmed by then stays in the spool, and a WARN says where and how to import it.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            spool.seal();
        } catch (IOException e) {
            LOG.warn("cannot write the last events of {} to its spool {}: {}", key, spool.path(), e.toString());
        }
        delivery.requestClose(settings.closeTimeout());
        long waitMillis = settings.closeTimeout().plus(settings.requestTimeout()).plus(CLOSE_GRACE).toMillis();
        try {
            thread.join(waitMillis);
            if (thread.isAlive()) {
                LOG.warn("event delivery of {} did not stop within {} ms; interrupting it. The spool {} keeps what "
                        + "was not delivered", key, waitMillis, spool.path());
                thread.interrupt();
                thread.join(CLOSE_GRACE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
        }
    }

    public SinkStatus status() {
        return new SinkStatus(delivery.state(), spool.lastSeq(), delivery.verifiedSeq(), spool.path(),
                delivery.resent(), delivery.foundInTopic());
    }

    /** The Kafka key, {@code experimentId/processIndex}, of the process this sink serves. */
    public String key() {
        return key;
    }

    public Path spoolFile() {
        return spool.path();
    }
}
