package io.lem.runner.events;

import java.nio.file.Path;

/**
 * Where a {@link KafkaEventSink} stands.
 *
 * @param state        what the delivery thread is doing
 * @param lastSeq      seq of the last event sent to the sink, -1 before the first
 * @param verifiedSeq  every event up to this seq has been read back from the topic, -1 before the first
 * @param spoolFile    the write-ahead spool of this process
 * @param resent       events sent again after an outage because reading the topic did not find them
 * @param foundInTopic events not acknowledged before an outage that reading the topic found delivered anyway
 */
public record SinkStatus(State state, long lastSeq, long verifiedSeq, Path spoolFile, long resent,
                         long foundInTopic) {

    public enum State {
        /** Setting up the topic; events are spooled meanwhile. */
        CONNECTING,
        /** Sending to Kafka and verifying delivery by reading the topic back. */
        STREAMING,
        /** Kafka is unreachable or a send failed: events go to the spool only, and the broker is probed. */
        SPOOLING,
        CLOSED
    }

    /** True when every event sent has been seen in the topic. */
    public boolean allVerified() {
        return verifiedSeq >= lastSeq;
    }
}
