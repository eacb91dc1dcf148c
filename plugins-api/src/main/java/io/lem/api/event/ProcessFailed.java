package io.lem.api.event;

/**
 * A runner process stopped abnormally; what it measured before stays valid.
 *
 * @param reason  one-line reason
 * @param lastSeq seq of this, the last event of the process
 */
public record ProcessFailed(Envelope envelope, String reason, long lastSeq) implements LemEvent {
}
