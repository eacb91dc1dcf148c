package io.lem.aggregator.model;

/** Stored summary bytes that cannot be read: truncated, corrupt, or written by a newer, incompatible format. */
public final class SummaryFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SummaryFormatException(String message) {
        super(message);
    }
}
