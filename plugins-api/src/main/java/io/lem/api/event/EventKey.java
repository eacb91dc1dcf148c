package io.lem.api.event;

/** The record key {@code <experimentId>/<processIndex>} under which all events of one process travel. */
public record EventKey(String experimentId, int processIndex) {

    public static String of(String experimentId, int processIndex) {
        return experimentId + "/" + processIndex;
    }

    /** Parses a key written by {@link #of}; the experiment id may itself contain '/'. */
    public static EventKey parse(String key) {
        int slash = key == null ? -1 : key.lastIndexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            throw new IllegalArgumentException("event key must look like <experimentId>/<processIndex>, was: " + key);
        }
        try {
            return new EventKey(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("event key must end in an integer process index, was: " + key);
        }
    }

    @Override
    public String toString() {
        return of(experimentId, processIndex);
    }
}
