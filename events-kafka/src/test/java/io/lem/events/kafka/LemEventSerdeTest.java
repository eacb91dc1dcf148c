package io.lem.events.kafka;

import io.lem.api.event.BatchStarted;
import io.lem.api.event.DecodeResult;
import io.lem.api.event.Envelope;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LemEventSerdeTest {
    private final BatchStarted event =
            new BatchStarted(Envelope.now("exp_1", 0, 5, "h"), 2, 4, 100, 120, false);

    @Test
    void serializerAndDeserializerRoundTrip() {
        byte[] bytes = LemEventSerde.serializer().serialize(LemTopics.EVENTS, event);
        DecodeResult result = LemEventSerde.deserializer().deserialize(LemTopics.EVENTS, bytes);
        assertThat(result).isEqualTo(new DecodeResult.Known(event, java.util.List.of()));
    }

    @Test
    void serdeOfDecodeResultsReEncodesKnownAndKeepsUnknownVerbatim() {
        var serde = LemEventSerde.decodeResultSerde();
        byte[] bytes = serde.serializer().serialize("t", new DecodeResult.Known(event, java.util.List.of()));
        assertThat(((DecodeResult.Known) serde.deserializer().deserialize("t", bytes)).event()).isEqualTo(event);

        String unknownJson = "{\"v\":2,\"type\":\"Future\",\"eventId\":\"e\",\"experimentId\":\"x\",\"processIndex\":0,"
                + "\"seq\":9,\"host\":\"h\",\"timeEpochNanos\":1,\"monoNanos\":1}";
        DecodeResult unknown = serde.deserializer().deserialize("t", unknownJson.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(serde.serializer().serialize("t", unknown), StandardCharsets.UTF_8))
                .isEqualTo(unknownJson);
    }

    @Test
    void nullsPassThroughAsTombstones() {
        assertThat(LemEventSerde.serializer().serialize("t", null)).isNull();
        assertThat(LemEventSerde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void malformedRecordBecomesSerializationExceptionWithTheCodecReason() {
        assertThatThrownBy(() -> LemEventSerde.deserializer().deserialize("t", "{]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("malformed event: not valid JSON");
    }
}
