package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The background thread of a {@link KafkaEventSink}: tails the spool and sends each line to Kafka, reads the
 * process's partition back to see which seqs really landed, and cuts verified lines off the spool.
 *
 * <p>On any failure (a send error, Kafka unreachable, an acknowledged record missing from the log) it drops the
 * producer and probes the broker. Once Kafka answers again it reads the partition up to its current end, then re-sends,
 * in order, only the spooled lines whose seq is not in the topic. Producer acknowledgements alone are never taken as
 * proof of delivery (KAFKA-15591); the read-back is.
 */
final class SpoolDelivery implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);

    private static final int INITIAL_CHUNK_BYTES = 256 * 1024;
    private static final Duration VERIFY_POLL = Duration.ofMillis(10);
    private static final Duration CATCH_UP_POLL = Duration.ofMillis(100);
    private static final long IDLE_WAIT_MILLIS = 100;
    private static final long MIN_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 2000;
    /** Compact once this much verified data sits at the front, unless the copy would be large. */
    private static final long COMPACT_PREFIX_BYTES = 1 << 20;
    private static final long COMPACT_MAX_TAIL_BYTES = 4 << 20;

    /** A spool line handed to the producer (or found already delivered) but not yet seen in the topic. */
    private record PendingLine(long seq, long position) {
    }

    private final KafkaSinkSettings settings;
    private final String key;
    private final SpoolFile spool;
    private final List<Path> leftovers;
    private final EventCodec codec = new EventCodec();
    private final ArrayDeque<PendingLine> pending = new ArrayDeque<>();

    private volatile SinkStatus.State state = SinkStatus.State.CONNECTING;
    private volatile long verifiedSeq = -1;
    private volatile boolean closing;
    private volatile long closeDeadlineNanos;
    private final Object pace = new Object();
    /**
     * Shortest time between two send-and-verify cycles while events flow ({@link KafkaSinkSettings#deliveryInterval}).
     * Without it a process emitting an event per decode step made this thread (and the producer's and broker's) run a
     * cycle per few events, CPU which the generation loop shares.
     */
    private final long paceNanos;
    private long lastCycleNanos;

    private Admin admin;
    private KafkaConsumer<String, byte[]> consumer;
    private ProducerSession session;
    private TopicPartition partition;
    private DeliveredSeqs delivered;
    private long readPosition;
    private long readSeq = -1;
    private ByteBuffer chunk = ByteBuffer.allocate(INITIAL_CHUNK_BYTES);
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private long nextAttemptNanos = System.nanoTime();
    private long lastHousekeepingNanos = System.nanoTime();
    private long fsyncedEnd;
    private boolean outageReported;
    /** One past the highest seq ever handed to a producer or found present: lines below it are second visits. */
    private long forwardedBefore = -1;
    private volatile long resent;
    private volatile long foundInTopic;

    SpoolDelivery(KafkaSinkSettings settings, String key, SpoolFile spool, List<Path> leftovers) {
        this.settings = settings;
        this.key = key;
        this.spool = spool;
        this.leftovers = new ArrayList<>(leftovers);
        this.paceNanos = settings.deliveryInterval().toNanos();
        this.lastCycleNanos = System.nanoTime() - paceNanos;
    }

    SinkStatus.State state() {
        return state;
    }

    long verifiedSeq() {
        return verifiedSeq;
    }

    long resent() {
        return resent;
    }

    long foundInTopic() {
        return foundInTopic;
    }

    /** Asks the thread to finish: deliver what it can until the deadline, then leave the rest in the spool. */
    void requestClose(Duration timeout) {
        closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
        closing = true;
        spool.wake();
        synchronized (pace) {
            pace.notifyAll();
        }
    }

    @Override
    public void run() {
        try {
            while (!finished()) {
                try {
                    startCursor();
                    if (state == SinkStatus.State.STREAMING) {
                        stream();
                    } else if (System.nanoTime() - nextAttemptNanos >= 0) {
                        connect();
                    } else {
                        spool.pause(Math.min(IDLE_WAIT_MILLIS,
                                Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextAttemptNanos - System.nanoTime()))));
                    }
                    housekeeping();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    // Kafka down, a send failed, a delivery gap, or a local I/O error: all end in the same place.
                    outage(e);
                }
            }
        } finally {
            shutdown();
        }
    }

    private boolean finished() {
        return closing && (allDelivered() || System.nanoTime() - closeDeadlineNanos > 0);
    }

    private boolean allDelivered() {
        return leftovers.isEmpty() && ownDelivered();
    }

    private boolean ownDelivered() {
        long last = spool.lastSeq();
        return last < 0 || (delivered != null && delivered.through() >= last);
    }

    /** The first appended event fixes where seq counting starts. */
    private void startCursor() {
        if (readSeq < 0) {
            long first = spool.firstSeq();
            if (first >= 0) {
                readSeq = first;
                readPosition = 0;
                delivered = new DeliveredSeqs(first);
            }
        }
    }

    private void stream() throws Exception {
        pace();
        boolean sent = forward();
        Exception failure = session.failure();
        if (failure != null) {
            throw failure;
        }
        if (!pending.isEmpty()) {
            readBack(VERIFY_POLL);
            checkAcknowledgedLanded();
        } else if (!sent) {
            spool.awaitBeyond(readPosition, IDLE_WAIT_MILLIS);
        }
    }

    /** Waits until {@link #paceNanos} have passed since the last cycle began; closing ends the wait at once. */
    private void pace() throws InterruptedException {
        long due = lastCycleNanos + paceNanos;
        synchronized (pace) {
            for (long wait = due - System.nanoTime(); !closing && wait > 0; wait = due - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(pace, wait);
            }
        }
        lastCycleNanos = System.nanoTime();
    }

    /**
     * Sends the spool lines after the read position, runs of consecutive lines not yet in the topic packed into
     * records ({@link RecordPacker}); returns whether there were any lines.
     */
    private boolean forward() throws IOException {
        long end = spool.end();
        if (readSeq < 0 || readPosition >= end) {
            return false;
        }
        chunk.clear();
        chunk.limit((int) Math.min(chunk.capacity(), end - readPosition));
        while (chunk.hasRemaining()) {
            if (spool.read(readPosition + chunk.position(), chunk) < 0) {
                throw new IOException("spool " + spool.path() + " is shorter than expected");
            }
        }
        byte[] bytes = chunk.array();
        int filled = chunk.position();
        int lineStart = 0;
        RecordPacker packer = new RecordPacker(this::send);
        for (int i = 0; i < filled; i++) {
            if (bytes[i] == '\n') {
                if (session.failure() != null) {
                    // With Kafka gone, each further send could block for max.block.ms: stop and recover.
                    break;
                }
                long seq = readSeq;
                boolean again = seq < forwardedBefore;
                if (!delivered.contains(seq)) {
                    packer.add(key, seq, bytes, lineStart, i - lineStart);
                    if (again) {
                        resent++;
                    }
                } else {
                    packer.flush(); // a line already in the topic ends the run
                    if (again) {
                        foundInTopic++;
                    }
                }
                forwardedBefore = Math.max(forwardedBefore, seq + 1);
                pending.addLast(new PendingLine(seq, readPosition));
                readSeq = seq + 1;
                readPosition += i + 1 - lineStart;
                lineStart = i + 1;
            }
        }
        if (session.failure() == null) {
            packer.flush(); // after a failure the lines gathered stay pending: re-sent once Kafka answers again
        }
        if (lineStart == 0 && filled == chunk.capacity() && session.failure() == null) {
            // One line longer than the buffer: grow and read it again.
            chunk = ByteBuffer.allocate(chunk.capacity() * 2);
        }
        return lineStart > 0;
    }

    private void send(String recordKey, byte[] value, Headers headers, long firstSeq, int count) {
        session.send(new ProducerRecord<>(settings.target().topic(), partition.partition(), null, recordKey, value,
                headers), firstSeq + count - 1);
    }

    /** Reads the process's partition and advances what is known delivered. */
    private void readBack(Duration timeout) {
        long lastWritten = spool.lastSeq();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            if (key.equals(record.key()) && delivered != null) {
                SeqHeader.forEachSeq(record, codec, seq -> delivered.observe(seq, lastWritten));
            }
        }
        while (!pending.isEmpty() && pending.peekFirst().seq() <= delivered.through()) {
            pending.removeFirst();
        }
        if (delivered != null) {
            verifiedSeq = delivered.through();
        }
    }

    /**
     * Once the read-back has passed the offset of the highest acknowledged record, every seq up to it must have been
     * seen; otherwise Kafka acknowledged something it does not hold.
     */
    private void checkAcknowledgedLanded() {
        ProducerSession.Ack ack = session.lastAck();
        if (ack != null && delivered.through() < ack.seq() && consumer.position(partition) > ack.offset()) {
            throw new DeliveryGapException("Kafka acknowledged seq " + ack.seq() + " at offset " + ack.offset()
                    + " of " + partition + ", but seq " + (delivered.through() + 1) + " is not in the topic");
        }
    }

    private void connect() throws Exception {
        Duration timeout = operationTimeout();
        KafkaTarget target = settings.target();
        if (admin == null) {
            admin = Admin.create(ClientProperties.admin(target, settings.requestTimeout(),
                    ClientProperties.clientId("sink-admin", key)));
        }
        int partitions = EventTopic.ensure(admin, target, timeout);
        TopicPartition assigned = new TopicPartition(target.topic(), EventTopic.partitionFor(key, partitions));
        deliverLeftovers();
        if (consumer != null && !assigned.equals(partition)) {
            // The topic was re-created with another layout: read the new partition from its start.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            consumer = null;
            partition = assigned;
            startConsumer(false);
        } else if (consumer == null) {
            partition = assigned;
            startConsumer(true);
        } else {
            catchUp(timeout);
        }
        ProducerSession fresh = new ProducerSession(ClientProperties.producer(target, settings.deliveryTimeout(),
                settings.requestTimeout(), ClientProperties.clientId("sink", key)));
        try {
            fresh.warmUp(target.topic());
        } catch (RuntimeException e) {
            fresh.closeNow();
            throw e;
        }
        session = fresh;
        rewind();
        state = SinkStatus.State.STREAMING;
        backoffMillis = MIN_BACKOFF_MILLIS;
        if (outageReported) {
            LOG.info("Kafka at {} answers again; re-sending the spooled events of {} not found in {} from seq {}",
                    target.bootstrapServers(), key, target.topic(), readSeq);
            outageReported = false;
        }
    }

    /**
     * A fresh sink reads back from the partition's current end: none of its events can precede it. (Leftovers of an
     * earlier sink are imported before, through the importer, which checks the whole topic.)
     */
    private void startConsumer(boolean fromEnd) {
        KafkaConsumer<String, byte[]> fresh = new KafkaConsumer<>(ClientProperties.consumer(settings.target(),
                settings.requestTimeout(), ClientProperties.clientId("sink-verify", key)));
        try {
            fresh.assign(List.of(partition));
            if (fromEnd) {
                long end = fresh.endOffsets(List.of(partition), operationTimeout()).get(partition);
                fresh.seek(partition, end);
            } else {
                fresh.seekToBeginning(List.of(partition));
            }
        } catch (RuntimeException e) {
            // Without its starting offset the consumer must not be kept: it would read from the wrong place.
            fresh.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        consumer = fresh;
    }

    /** Reads the partition up to its current end, so that re-sending knows every seq that landed. */
    private void catchUp(Duration timeout) {
        long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
        long position = consumer.position(partition, timeout);
        long lastProgress = System.nanoTime();
        while (position < end) {
            readBack(CATCH_UP_POLL);
            long now = consumer.position(partition, timeout);
            if (now > position) {
                position = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > timeout.toNanos()
                    || (closing && System.nanoTime() - closeDeadlineNanos > 0)) {
                throw new TimeoutException("reading " + partition
                        + " back made no progress at offset " + position + " of " + end);
            }
        }
        readBack(Duration.ZERO);
    }

    /** Resumes sending at the first line not yet seen in the topic; lines seen since are skipped by seq. */
    private void rewind() {
        if (delivered == null) {
            return;
        }
        while (!pending.isEmpty() && pending.peekFirst().seq() <= delivered.through()) {
            pending.removeFirst();
        }
        if (!pending.isEmpty()) {
            PendingLine first = pending.peekFirst();
            readPosition = first.position();
            readSeq = first.seq();
            pending.clear();
        }
    }

    /** Spools of earlier sinks of this process go in first, through the importer, which skips what is present. */
    private void deliverLeftovers() throws IOException, InterruptedException {
        while (!leftovers.isEmpty()) {
            Path file = leftovers.get(0);
            ImportReport report = new EventImporter(settings.target(), settings.deliveryTimeout())
                    .importPaths(List.of(file));
            if (report.failed() > 0) {
                throw new IOException("could not deliver earlier spool " + file + ": " + report.errors());
            }
            for (String problem : report.malformed()) {
                LOG.warn("skipped a malformed line of an earlier spool: {}", problem);
            }
            LOG.info("delivered earlier spool {}: {} events sent, {} already in {}", file, report.sent(),
                    report.alreadyPresent(), settings.target().topic());
            Files.deleteIfExists(file);
            leftovers.remove(0);
        }
    }

    private void outage(Exception cause) {
        if (session != null) {
            session.closeNow();
            session = null;
        }
        state = SinkStatus.State.SPOOLING;
        String reason = describe(cause);
        if (!outageReported) {
            LOG.warn("Kafka delivery of {} paused ({}); events stay in {} and are re-sent, checked against {} by "
                    + "seq, once {} answers", key, reason, spool.path(), settings.target().topic(),
                    settings.target().bootstrapServers());
            outageReported = true;
        } else {
            LOG.debug("Kafka still unavailable for {}: {}", key, reason);
        }
        nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    /** Bounded fsync and compaction, at most once per fsync interval. */
    private void housekeeping() throws IOException {
        long now = System.nanoTime();
        if (now - lastHousekeepingNanos < settings.fsyncInterval().toNanos()) {
            return;
        }
        lastHousekeepingNanos = now;
        long end = spool.end();
        if (end > fsyncedEnd) {
            spool.force();
            fsyncedEnd = end;
        }
        if (readSeq < 0) {
            return;
        }
        long cut = firstUnverifiedPosition();
        long prefix = cut - spool.dropped();
        long tail = end - cut;
        if (prefix > 0 && (tail == 0 || (prefix >= COMPACT_PREFIX_BYTES && tail <= COMPACT_MAX_TAIL_BYTES))) {
            spool.dropPrefix(cut);
        }
    }

    private long firstUnverifiedPosition() {
        return pending.isEmpty() ? readPosition : pending.peekFirst().position();
    }

    private void shutdown() {
        if (session != null) {
            session.closeNow();
        }
        if (consumer != null) {
            closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ZERO)));
        }
        if (admin != null) {
            closeQuietly(() -> admin.close(Duration.ZERO));
        }
        try {
            if (resent + foundInTopic > 0) {
                LOG.info("{}: after Kafka outages, re-sent {} events and found {} already in {}", key, resent,
                        foundInTopic, settings.target().topic());
            }
            if (ownDelivered()) {
                spool.delete();
            } else {
                try {
                    if (readSeq >= 0) {
                        spool.dropPrefix(firstUnverifiedPosition());
                    }
                    spool.force();
                } finally {
                    spool.close();
                }
                long last = spool.lastSeq();
                long from = delivered == null ? spool.firstSeq() : delivered.through() + 1;
                LOG.warn("{} events of {} (seq {}..{}) were not confirmed in {} within {} ms of closing; they remain "
                        + "in {}. Import them once Kafka is reachable: lem events import {}", last - from + 1, key,
                        from, last, settings.target().topic(), settings.closeTimeout().toMillis(), spool.path(),
                        spool.path());
            }
            for (Path file : leftovers) {
                LOG.warn("earlier spool of {} not delivered yet: {}. Import it once Kafka is reachable: "
                        + "lem events import {}", key, file, file);
            }
        } catch (IOException e) {
            LOG.error("cannot finish the spool {} of {}: {}. Whatever it holds can be imported with: "
                    + "lem events import {}", spool.path(), key, e.toString(), spool.path());
        } finally {
            state = SinkStatus.State.CLOSED;
        }
    }

    /** Kafka calls are bounded by the request timeout, and by the close deadline once closing. */
    private Duration operationTimeout() {
        long timeout = settings.requestTimeout().toNanos();
        if (closing) {
            timeout = Math.min(timeout, Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                    closeDeadlineNanos - System.nanoTime()));
        }
        return Duration.ofNanos(timeout);
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.debug("closing a Kafka client failed: {}", e.toString());
        }
    }
}
