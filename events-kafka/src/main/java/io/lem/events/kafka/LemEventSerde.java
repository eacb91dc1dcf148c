package io.lem.events.kafka;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.LemEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.charset.StandardCharsets;

/**
 * Serde pairs for the event topic. Writing takes a {@link LemEvent}; reading yields a {@link DecodeResult} because a
 * newer producer may write types this build does not know.
 */
public final class LemEventSerde {
    private LemEventSerde() {
    }

    public static Serializer<LemEvent> serializer() {
        return new LemEventSerializer();
    }

    public static Deserializer<DecodeResult> deserializer() {
        return new DecodeResultDeserializer();
    }

    /** Serde for decoded results (what Kafka Streams consumes); serializing re-encodes a known event as written. */
    public static Serde<DecodeResult> decodeResultSerde() {
        LemEventSerializer events = new LemEventSerializer();
        Serializer<DecodeResult> serializer = (topic, result) -> {
            if (result == null) {
                return null;
            }
            if (result instanceof DecodeResult.Known known) {
                return events.serialize(topic, known.event());
            }
            return ((DecodeResult.Unknown) result).json().getBytes(StandardCharsets.UTF_8);
        };
        return Serdes.serdeFrom(serializer, new DecodeResultDeserializer());
    }
}
