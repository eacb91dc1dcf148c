package io.lem.runner.events;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The result of reading the event topic end to end.
 *
 * @param topic        the topic read
 * @param records      records read
 * @param events       events read: a packed record holds several ({@code EventFrames}), malformed ones included
 * @param malformed    events (lines of a packed record, or whole records) that are not lem events
 * @param unknownTypes well-formed events of types this build does not know (counted in their key's seqs)
 * @param keys         per process, by key
 */
public record EventLogReport(String topic, long records, long events, long malformed, long unknownTypes,
                             SortedMap<String, KeySummary> keys) {

    public EventLogReport {
        keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
    }

    /** Every process's seqs arrived exactly once, and no record was malformed. */
    public boolean exact() {
        return malformed == 0 && keys.values().stream().allMatch(KeySummary::exact);
    }

    public KeySummary key(String key) {
        return keys.get(key);
    }

    static EventLogReport of(String topic, long records, long events, long malformed, long unknownTypes,
                             Map<String, KeySummary> keys) {
        return new EventLogReport(topic, records, events, malformed, unknownTypes, new TreeMap<>(keys));
    }
}
