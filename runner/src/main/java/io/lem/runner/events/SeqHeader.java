package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.ByteBuffer;

/**
 * The event's {@code seq} as a record header ({@value #NAME}, 8 bytes big-endian), so that a sink reading its
 * partition back, or the importer scanning the topic, learns which seqs landed without parsing each event's JSON.
 * Parsing cost the runner's delivery thread a full decode per event read back, and a runner JVM the compilation of the
 * decoder, on the cores the measured generation uses. Records without the header (written by lem before it, or by
 * other tools) are decoded as before; the value stays the one source of truth for the aggregator.
 */
final class SeqHeader {
    static final String NAME = "lem.seq";

    private SeqHeader() {
    }

    /** Headers carrying {@code seq}. */
    static Headers of(long seq) {
        return new RecordHeaders().add(NAME, ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
    }

    /**
     * The seq of a record on an event key: from its header when it has a well-formed one, otherwise from its value.
     *
     * @throws EventFormatException when there is no header and the value is not a lem event
     */
    static long read(ConsumerRecord<?, byte[]> record, EventCodec codec) throws EventFormatException {
        Header header = record.headers().lastHeader(NAME);
        if (header != null && header.value() != null && header.value().length == Long.BYTES) {
            return ByteBuffer.wrap(header.value()).getLong();
        }
        return codec.decode(record.value()).envelope().seq();
    }
}
