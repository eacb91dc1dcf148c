package io.lem.aggregator.app;

/** The aggregator could not start, or a Kafka operation it needs failed; the message says what and why. */
public class AggregatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AggregatorException(String message) {
        super(message);
    }

    public AggregatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
