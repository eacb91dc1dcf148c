package io.lem.runner.events;

import io.lem.api.event.Envelope;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeqHeaderTest {
    private final EventCodec codec = new EventCodec();

    @Test
    void theHeaderIsReadWithoutTheValue() throws Exception {
        // a value that is not an event at all: only the header can have answered
        byte[] notAnEvent = "not json".getBytes(StandardCharsets.UTF_8);
        assertThat(SeqHeader.read(record(notAnEvent, SeqHeader.of(41_234_567_890L)), codec)).isEqualTo(41_234_567_890L);
    }

    @Test
    void withoutTheHeaderTheValueIsDecoded() throws Exception {
        // records written before the header existed, or by another producer
        byte[] event = codec.encode(TestEvents.mixed(Envelope.now("exp", 3, 77, "h"), 2));
        assertThat(SeqHeader.read(record(event, new RecordHeaders()), codec)).isEqualTo(77);
    }

    @Test
    void aHeaderOfTheWrongSizeIsIgnored() throws Exception {
        byte[] event = codec.encode(TestEvents.mixed(Envelope.now("exp", 3, 78, "h"), 2));
        Headers odd = new RecordHeaders().add(SeqHeader.NAME, new byte[] {1, 2, 3});
        assertThat(SeqHeader.read(record(event, odd), codec)).isEqualTo(78);
    }

    @Test
    void noHeaderAndNoEventIsAFormatError() {
        byte[] notAnEvent = "{\"hello\":1}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SeqHeader.read(record(notAnEvent, new RecordHeaders()), codec))
                .isInstanceOf(EventFormatException.class);
    }

    private static ConsumerRecord<String, byte[]> record(byte[] value, Headers headers) {
        return new ConsumerRecord<>("lem.events.v1", 0, 0L, 0L, TimestampType.CREATE_TIME, 5, value.length, "exp/3",
                value, headers, Optional.empty());
    }
}
