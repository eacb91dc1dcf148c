package io.lem.api.event;

/**
 * A runner process stopped abnormally; what it measured before stays valid.
 *
 * @param reason  one-line reason; {@value #CANCELLED} for a process stopped on request (Ctrl-C, SIGTERM)
 * @param lastSeq seq of this, the last event of the process
 */
public record ProcessFailed(Envelope envelope, String reason, long lastSeq) implements LemEvent {
    /** The reason of a process stopped on request, which the aggregator reports as {@code cancelled}, not failed. */
    public static final String CANCELLED = "cancelled";
}
