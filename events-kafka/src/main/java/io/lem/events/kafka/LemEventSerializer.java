package io.lem.events.kafka;

import io.lem.api.event.EventCodec;
import io.lem.api.event.LemEvent;
import org.apache.kafka.common.serialization.Serializer;

/** Writes events with the plugins-api codec. */
public final class LemEventSerializer implements Serializer<LemEvent> {
    private final EventCodec codec = new EventCodec();

    @Override
    public byte[] serialize(String topic, LemEvent event) {
        return event == null ? null : codec.encode(event);
    }
}
