package io.lem.runner.events;

/** Kafka acknowledged a record that reading the topic back did not find. */
final class DeliveryGapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeliveryGapException(String message) {
        super(message);
    }
}
