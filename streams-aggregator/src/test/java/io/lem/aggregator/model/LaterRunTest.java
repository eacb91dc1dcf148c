package io.lem.aggregator.model;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.LemEvent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.lem.aggregator.model.ProcessScript.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An experiment id used again by a later run: the later run numbers its events from seq 0 again, so without a check
 * its events passed for duplicates of the first run's, and those past the first run's last seq were folded into it.
 */
class LaterRunTest {
    private static final long MS = 1_000_000L;

    private static ProcessSummary fold(ProcessSummary s, List<LemEvent> events) {
        for (LemEvent e : events) {
            s.apply(new DecodeResult.Known(e, List.of()));
        }
        return s;
    }

    /** One run of process 0: {@code batches} measured batches of 2 sequences and 3 steps, then ProcessCompleted. */
    private static ProcessScript run(String name, int batches, long startNanos) {
        ProcessScript p = new ProcessScript("exp_again", 0, "node-0", startNanos).run(name);
        p.processStarted(1, "cpu:node-0:package-0");
        for (int b = 0; b < batches; b++) {
            p.batch(b, false, 2, 10, 20 * MS, 5 * MS, 5 * MS, 5 * MS);
        }
        p.energy("cpu:node-0:package-0", "model", "run", 10.0 * batches, 50 * MS * batches);
        p.completed();
        return p;
    }

    @Test
    void aLaterRunIsCountedOnceAndNothingOfItIsFolded() {
        ProcessScript first = run("first", 2, T0);
        ProcessScript second = run("second", 5, T0 + 60_000 * MS); // more events: its seqs go past the first's
        ProcessSummary alone = fold(new ProcessSummary(), first.events());
        Map<String, Object> firstResults = ResultsJson.process(alone);

        ProcessSummary s = fold(fold(new ProcessSummary(), first.events()), second.events());
        // the second run's start re-sent (same event id) is the same later run, not a third
        s.apply(new DecodeResult.Known(second.events().get(0), List.of()));

        assertThat(s.laterRuns()).isEqualTo(1);
        assertThat(s.laterRunEvents()).isEqualTo(second.events().size() + 1);
        assertThat(s.outputTokens()).isEqualTo(alone.outputTokens()).isEqualTo(2 * 2 * 4);
        assertThat(s.batches()).isEqualTo(2);
        assertThat(s.duplicates()).isZero();
        Map<String, Object> results = ResultsJson.process(s);
        assertThat(results).containsEntry("later_runs_ignored", 1L)
                .containsEntry("later_run_events_ignored", (long) second.events().size() + 1);
        // apart from those two counts, the first run's results exactly
        for (String field : List.of("later_runs_ignored", "later_run_events_ignored")) {
            results.remove(field);
            firstResults.remove(field);
        }
        assertThat(results).isEqualTo(firstResults);
    }

    @Test
    void reSendsOfTheFirstRunAreDuplicatesNotALaterRun() {
        ProcessScript first = run("first", 2, T0);
        ProcessSummary s = fold(fold(new ProcessSummary(), first.events()), first.events());
        assertThat(s.laterRuns()).isZero();
        assertThat(s.laterRunEvents()).isZero();
        assertThat(s.duplicates()).isEqualTo(first.events().size());
    }

    @Test
    void aThirdRunCountsAgain() {
        ProcessSummary s = fold(new ProcessSummary(), run("first", 1, T0).events());
        fold(s, run("second", 1, T0 + 1000 * MS).events());
        fold(s, run("third", 1, T0 + 2000 * MS).events());
        assertThat(s.laterRuns()).isEqualTo(2);
    }

    @Test
    void theLauncherKeyDetectsARepeatedExperimentStarted() {
        ProcessScript first = ProcessScript.launcher("exp_again").run("first");
        first.experimentStarted(1, Map.of());
        first.experimentCompleted("completed", 1, 0);
        ProcessScript second = ProcessScript.launcher("exp_again").run("second");
        second.experimentStarted(1, Map.of());
        second.experimentCompleted("failed", 1, 1);

        ProcessSummary s = fold(fold(new ProcessSummary(), first.events()), second.events());
        assertThat(s.laterRuns()).isEqualTo(1);
        assertThat(s.laterRunEvents()).isEqualTo(2);
        assertThat(s.experimentEndStatus()).isEqualTo("completed");
    }

    @Test
    void theRunBookkeepingSurvivesTheBinaryFormat() {
        ProcessSummary s = fold(new ProcessSummary(), run("first", 1, T0).events());
        fold(s, run("second", 2, T0 + 1000 * MS).events());
        ProcessSummary copy = ProcessSummary.fromBytes(s.toBytes());
        assertThat(copy.laterRuns()).isEqualTo(1);
        assertThat(copy.laterRunEvents()).isEqualTo(s.laterRunEvents());
        // the copy still knows both runs: a re-send of the second run's start is not a third run
        fold(copy, run("second", 2, T0 + 1000 * MS).events().subList(0, 1));
        assertThat(copy.laterRuns()).isEqualTo(1);
        // and the first run's start still is the first run's
        fold(copy, run("first", 1, T0).events().subList(0, 1));
        assertThat(copy.laterRuns()).isEqualTo(1);
    }

    @Test
    void aSummaryStoredBeforeTheRunFieldsReadsAsOneRun() {
        // an older record ends where the run fields begin: null start id, 0 runs, null later id, 0 events (4 bytes)
        ProcessScript p = new ProcessScript("exp_old", 0, "node-0", T0);
        p.batch(0, false, 2, 10, 20 * MS, 5 * MS);
        ProcessSummary s = fold(new ProcessSummary(), p.events());
        byte[] current = s.toBytes();
        byte[] older = Arrays.copyOf(current, current.length - 4);
        ProcessSummary read = ProcessSummary.fromBytes(older);
        assertThat(read.laterRuns()).isZero();
        assertThat(read.outputTokens()).isEqualTo(s.outputTokens());
        assertThat(ResultsJson.process(read)).isEqualTo(ResultsJson.process(s));
    }
}
