package io.lem.runner.events;

import io.lem.events.kafka.EventFrames;
import org.apache.kafka.common.header.Headers;

import java.io.ByteArrayOutputStream;

/**
 * Gathers runs of one process's consecutive events (encoded lines) into packed records ({@link EventFrames}) of at
 * most {@link KafkaSinkSettings#MAX_RECORD_BYTES}, as the spool delivery and the importer send them. A new record
 * starts at another key, at a gap in the seqs, when the next line would not fit, and at {@link #flush()}; a line
 * larger than the bound goes alone.
 */
final class RecordPacker {

    /** Receives each finished record. */
    interface Out {
        void send(String key, byte[] value, Headers headers, long firstSeq, int count);
    }

    private final Out out;
    private final ByteArrayOutputStream value = new ByteArrayOutputStream();
    private String key;
    private long firstSeq;
    private int count;

    RecordPacker(Out out) {
        this.out = out;
    }

    /** Adds the line {@code bytes[offset, offset + length)}, event {@code seq} of {@code lineKey}. */
    void add(String lineKey, long seq, byte[] bytes, int offset, int length) {
        if (count > 0 && (!lineKey.equals(key) || seq != firstSeq + count
                || value.size() + 1 + length > KafkaSinkSettings.MAX_RECORD_BYTES)) {
            flush();
        }
        if (count == 0) {
            key = lineKey;
            firstSeq = seq;
        } else {
            value.write(EventFrames.SEPARATOR);
        }
        value.write(bytes, offset, length);
        count++;
    }

    /** Sends what was gathered, if anything. */
    void flush() {
        if (count == 0) {
            return;
        }
        byte[] record = value.toByteArray();
        int events = count;
        value.reset();
        count = 0;
        out.send(key, record, EventFrames.headers(firstSeq, events), firstSeq, events);
    }
}
