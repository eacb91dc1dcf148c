package io.lem.runner.events;

import io.lem.api.event.Envelope;
import io.lem.api.event.EventCodec;
import io.lem.events.kafka.EventFrames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SeqHeaderTest {
    private final EventCodec codec = new EventCodec();

    @Test
    void theHeaderIsReadWithoutTheValue() {
        // a value that is not an event at all: only the header can have answered
        byte[] notAnEvent = "not json".getBytes(StandardCharsets.UTF_8);
        assertThat(seqs(record(notAnEvent, EventFrames.headers(41_234_567_890L, 1)))).containsExactly(41_234_567_890L);
    }

    @Test
    void aPackedRecordGivesEverySeqOfItsRange() {
        byte[] notParsed = "x\ny\nz".getBytes(StandardCharsets.UTF_8);
        assertThat(seqs(record(notParsed, EventFrames.headers(100, 3)))).containsExactly(100L, 101L, 102L);
    }

    @Test
    void withoutTheHeaderTheValueIsDecoded() {
        // records written before the header existed, or by another producer
        byte[] event = codec.encode(TestEvents.mixed(Envelope.now("exp", 3, 77, "h"), 2));
        assertThat(seqs(record(event, new RecordHeaders()))).containsExactly(77L);
    }

    @Test
    void aHeaderOfTheWrongSizeIsIgnored() {
        byte[] event = codec.encode(TestEvents.mixed(Envelope.now("exp", 3, 78, "h"), 2));
        Headers odd = new RecordHeaders().add(EventFrames.SEQ_HEADER, new byte[] {1, 2, 3});
        assertThat(seqs(record(event, odd))).containsExactly(78L);
    }

    @Test
    void aPackedRecordWithoutASeqHeaderIsDecodedLineByLineSkippingWhatIsNoEvent() {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.writeBytes(codec.encode(TestEvents.mixed(Envelope.now("exp", 3, 5, "h"), 0)));
        value.write('\n');
        value.writeBytes("{\"hello\":1}".getBytes(StandardCharsets.UTF_8));
        value.write('\n');
        value.writeBytes(codec.encode(TestEvents.mixed(Envelope.now("exp", 3, 6, "h"), 1)));
        Headers countOnly = new RecordHeaders().add(EventFrames.COUNT_HEADER, new byte[] {0, 0, 0, 3});
        assertThat(seqs(record(value.toByteArray(), countOnly))).containsExactly(5L, 6L);
    }

    @Test
    void noHeaderAndNoEventGivesNoSeq() {
        byte[] notAnEvent = "{\"hello\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(seqs(record(notAnEvent, new RecordHeaders()))).isEmpty();
    }

    private List<Long> seqs(ConsumerRecord<String, byte[]> record) {
        List<Long> seqs = new ArrayList<>();
        int n = SeqHeader.forEachSeq(record, codec, seqs::add);
        assertThat(n).isEqualTo(seqs.size());
        return seqs;
    }

    private static ConsumerRecord<String, byte[]> record(byte[] value, Headers headers) {
        return new ConsumerRecord<>("lem.events.v1", 0, 0L, 0L, TimestampType.CREATE_TIME, 5, value.length, "exp/3",
                value, headers, Optional.empty());
    }
}
