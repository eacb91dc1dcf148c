package io.lem.api.event;

/** A record that is not a well-formed lem event; the message names the field and what was wrong with it. */
public final class EventFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
