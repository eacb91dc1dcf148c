package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessScript;
import io.lem.aggregator.model.ProcessSummary;
import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.LemEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The undo log of a live summary: the stored bytes plus the record values of the events since give back exactly the
 * live state.
 */
class LiveSummaryTest {
    private static final long MS = 1_000_000L;

    private static List<LemEvent> events() {
        ProcessScript p = new ProcessScript("exp-live", 0, "node-0", ProcessScript.T0);
        p.processStarted(1, "gpu:GPU-0");
        p.batch(0, true, 2, 10, 10 * MS, 5 * MS, 5 * MS, 5 * MS);
        p.batch(1, false, 2, 10, 10 * MS, 5 * MS, 5 * MS, 5 * MS);
        p.energy("gpu:GPU-0", "counter", "run", 12.5, 25 * MS);
        p.completed();
        return p.events();
    }

    private static final EventCodec CODEC = new EventCodec();

    private static DecodeResult known(LemEvent e) {
        return new DecodeResult.Known(e, List.of());
    }

    @Test
    void rebuildFromStoredBytesAndLaterEventsEqualsTheLiveSummary() {
        List<LemEvent> events = events();
        int half = events.size() / 2;
        ProcessSummary stored = new ProcessSummary();
        events.subList(0, half).forEach(e -> stored.apply(known(e)));
        LiveSummary live = new LiveSummary(ProcessSummary.fromBytes(stored.toBytes()), stored.toBytes(), 0);
        for (LemEvent e : events.subList(half, events.size())) {
            live.summary.apply(known(e));
            { byte[] b = CODEC.encode(e); live.applied(b, 0, b.length); }
        }
        ProcessSummary rebuilt = live.rebuild(CODEC);
        assertThat(rebuilt).isNotSameAs(live.summary);
        assertThat(rebuilt.toBytes()).isEqualTo(live.summary.toBytes());
        assertThat(rebuilt.events()).isEqualTo(events.size());
    }

    @Test
    void rebuildWithNothingStoredStartsFromAnEmptySummary() {
        LiveSummary live = new LiveSummary(new ProcessSummary(), null, 0);
        for (LemEvent e : events()) {
            live.summary.apply(known(e));
            { byte[] b = CODEC.encode(e); live.applied(b, 0, b.length); }
        }
        assertThat(live.rebuild(CODEC).toBytes()).isEqualTo(live.summary.toBytes());
        assertThat(new LiveSummary(new ProcessSummary(), null, 0).rebuild(CODEC).experimentId()).isNull();
    }
}
