package io.lem.aggregator.topology;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PowerSample;

/**
 * Checks the codec leaves to consumers: the record key must be the event's own {@code experimentId/processIndex}
 * (state is keyed and de-duplicated by it), and the names the aggregation keys by must be present.
 */
final class EventChecks {
    private EventChecks() {
    }

    /** Why {@code result} under {@code key} cannot be aggregated, or null when it can. */
    static String problem(String key, DecodeResult result) {
        Envelope env = result.envelope();
        String expected = env.key();
        if (key == null) {
            return "record has no key; expected '" + expected + "'";
        }
        if (!key.equals(expected)) {
            return "record key '" + key + "' does not match the event's experimentId/processIndex '" + expected + "'";
        }
        if (!(result instanceof DecodeResult.Known)) {
            return null;
        }
        LemEvent event = ((DecodeResult.Known) result).event();
        String missing = null;
        if (event instanceof EnergyReading) {
            EnergyReading e = (EnergyReading) event;
            missing = e.deviceKey() == null ? "deviceKey" : e.method() == null ? "method"
                    : e.window() == null ? "window" : null;
        } else if (event instanceof PowerSample) {
            missing = ((PowerSample) event).deviceKey() == null ? "deviceKey" : null;
        } else if (event instanceof MemorySample) {
            missing = ((MemorySample) event).deviceKey() == null ? "deviceKey" : null;
        } else if (event instanceof FlopsEstimate) {
            missing = ((FlopsEstimate) event).method() == null ? "method" : null;
        }
        return missing == null ? null : "malformed " + event.type() + " event (" + expected + " seq " + env.seq()
                + "): missing required field '" + missing + "'";
    }
}
