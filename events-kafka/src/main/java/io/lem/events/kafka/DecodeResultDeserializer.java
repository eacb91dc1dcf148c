package io.lem.events.kafka;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads events with the plugins-api codec. Unknown types come back as {@link DecodeResult.Unknown}; a malformed
 * record throws {@link SerializationException} with the codec's precise reason, so that Kafka's deserialization
 * exception handlers (and the aggregator's dead-letter routing) can act on it.
 */
public final class DecodeResultDeserializer implements Deserializer<DecodeResult> {
    private final EventCodec codec = new EventCodec();

    @Override
    public DecodeResult deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (EventFormatException e) {
            throw new SerializationException(e.getMessage(), e);
        }
    }
}
