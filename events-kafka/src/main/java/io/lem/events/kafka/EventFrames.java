package io.lem.events.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How events sit in the records of {@link LemTopics#EVENTS}. A record holds one event, its JSON object as the value;
 * or, when it carries the {@value #COUNT_HEADER} header, several events of one process with consecutive seqs, one
 * JSON object per line (separated by {@code '\n'}, a trailing one allowed; lem's encoder never writes a raw newline
 * inside an event, JSON escapes it).
 *
 * <p>Why pack: every Kafka record costs the producer, the broker and above all Kafka Streams a fixed amount of work
 * (record queues, deserializers, sensors) that was as large as decoding the event itself; a runner's spool already
 * holds its events as lines, so its delivery sends runs of lines as they are. The aggregator still folds, de-duplicates
 * and dead-letters every event on its own.
 */
public final class EventFrames {
    /** The first event's {@code seq}, 8 bytes big-endian: which seqs landed, known without parsing the value. */
    public static final String SEQ_HEADER = "lem.seq";
    /** Number of events in a packed record, 4 bytes big-endian; absent on a record of one event. */
    public static final String COUNT_HEADER = "lem.events";
    public static final byte SEPARATOR = '\n';
    private static final long SEPARATORS = 0x0A0A0A0A0A0A0A0AL;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private EventFrames() {
    }

    /** Headers of a record holding {@code count} events from {@code firstSeq} on (a plain seq header for one). */
    public static Headers headers(long firstSeq, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a record holds at least one event, not " + count);
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(SEQ_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(firstSeq).array());
        if (count > 1) {
            headers.add(COUNT_HEADER, ByteBuffer.allocate(Integer.BYTES).putInt(count).array());
        }
        return headers;
    }

    /** Whether the record's value is lines of events rather than one event. */
    public static boolean packed(Headers headers) {
        return headers.lastHeader(COUNT_HEADER) != null;
    }

    /**
     * The number of events the record says it holds: 1 without the count header, -1 where the header is not a
     * positive 4-byte count (written by something other than lem).
     */
    public static int declaredCount(Headers headers) {
        Header header = headers.lastHeader(COUNT_HEADER);
        if (header == null) {
            return 1;
        }
        byte[] v = header.value();
        if (v == null || v.length != Integer.BYTES) {
            return -1;
        }
        int count = ByteBuffer.wrap(v).getInt();
        return count >= 1 ? count : -1;
    }

    /** The first event's seq from the {@value #SEQ_HEADER} header, or -1 where it has none that is well formed. */
    public static long firstSeq(Headers headers) {
        Header header = headers.lastHeader(SEQ_HEADER);
        if (header == null || header.value() == null || header.value().length != Long.BYTES) {
            return -1;
        }
        return ByteBuffer.wrap(header.value()).getLong();
    }

    /** End (exclusive) of the line starting at {@code start}: the next separator, or the end of the value. */
    public static int end(byte[] value, int start) {
        // eight bytes at a time (the aggregator scans every byte of every packed record): a byte equal to the
        // separator is a zero byte of word ^ SEPARATORS, and (x - 0x01..) & ~x & 0x80.. marks the lowest zero byte
        // exactly (marks above it can be false, never below)
        int i = start;
        for (; i + Long.BYTES <= value.length; i += Long.BYTES) {
            long x = (long) LONGS.get(value, i) ^ SEPARATORS;
            long zero = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3);
            }
        }
        for (; i < value.length; i++) {
            if (value[i] == SEPARATOR) {
                return i;
            }
        }
        return value.length;
    }

    /** Receives one event of a record: {@code value[offset, offset + length)}. */
    @FunctionalInterface
    public interface EventVisitor {
        /** @param line the event's line number in a packed record (from 1), 0 in a record of one event */
        void visit(byte[] value, int offset, int length, int line);
    }

    /** Hands each event of a record to {@code visitor} (empty lines skipped) and returns how many there were. */
    public static int forEachEvent(Headers headers, byte[] value, EventVisitor visitor) {
        if (value == null) {
            return 0;
        }
        if (!packed(headers)) {
            visitor.visit(value, 0, value.length, 0);
            return 1;
        }
        int events = 0;
        for (int start = 0; start < value.length; ) {
            int end = end(value, start);
            if (end > start) {
                visitor.visit(value, start, end - start, ++events);
            }
            start = end + 1;
        }
        return events;
    }
}
