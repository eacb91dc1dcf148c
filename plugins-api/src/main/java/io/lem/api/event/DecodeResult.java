package io.lem.api.event;

import java.util.List;

/** What {@link EventCodec#decode} found: a known event, or a well-formed event of a type this build does not know. */
public sealed interface DecodeResult {

    /** The envelope, present for both known and unknown types so that sequence numbers can be accounted for. */
    Envelope envelope();

    /**
     * A known event.
     *
     * @param event         the event
     * @param unknownFields top-level fields this build does not know (written by a newer producer), skipped
     */
    record Known(LemEvent event, List<String> unknownFields) implements DecodeResult {
        public Known {
            unknownFields = List.copyOf(unknownFields);
        }

        @Override
        public Envelope envelope() {
            return event.envelope();
        }
    }

    /**
     * An event whose {@code type} this build does not know; skipped but counted.
     *
     * @param type     the unknown type name
     * @param envelope its envelope
     * @param json     the raw record
     */
    record Unknown(String type, Envelope envelope, String json) implements DecodeResult {
    }
}
