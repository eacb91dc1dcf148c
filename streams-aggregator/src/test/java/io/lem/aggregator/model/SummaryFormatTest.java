package io.lem.aggregator.model;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.Envelope;
import io.lem.api.event.LemEvent;
import io.lem.api.event.TokensGenerated;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.lem.aggregator.model.ProcessScript.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips of the stored summaries through their binary formats (what the serdes and changelogs carry). */
class SummaryFormatTest {
    private static final long MS = 1_000_000L;

    private static DecodeResult known(LemEvent e) {
        return new DecodeResult.Known(e, List.of());
    }

    /** A process with every kind of state: histograms past the fold size, pending batches, energy, FLOPs, gaps. */
    private static ProcessScript richProcess() {
        ProcessScript p = new ProcessScript("exp_rt", 0, "node-0", T0);
        p.processStarted(2, "gpu:GPU-0", "cpu:node-0:package-0");
        p.batch(0, true, 2, 10, 50 * MS, 20 * MS);
        for (int b = 1; b <= 3; b++) {
            long[] steps = new long[70];
            for (int s = 0; s < steps.length; s++) {
                steps[s] = (3 + s % 7) * MS;
            }
            p.batch(b, false, 4, 20, (10 + b) * MS, steps);
            p.flops("architecture-causal", b, 1e9 * b, 300);
            p.memory("gpu:GPU-0", b << 20, (b * 5L) << 20);
            p.power("gpu:GPU-0", 200 + b);
        }
        p.energy("gpu:GPU-0", "counter", "idle-baseline", 40, 10_000 * MS, 0.5);
        p.energy("gpu:GPU-0", "counter", "run", 900, 2_000 * MS, 1.0);
        p.energy("cpu:node-0:package-0", "model", "run", 120, 2_000 * MS);
        p.flops("parameter", null, 5e9, 900);
        p.skip();
        p.completed();
        return p;
    }

    private static ProcessSummary fold(List<LemEvent> events) {
        ProcessSummary s = new ProcessSummary();
        for (LemEvent e : events) {
            s.apply(known(e));
        }
        return s;
    }

    @Test
    void processSummaryRoundTripsWithAllItsState() {
        ProcessScript p = richProcess();
        ProcessSummary original = fold(p.events());
        // a batch whose warm-up flag has not arrived yet stays pending across the round trip
        original.apply(known(new TokensGenerated(p.envelope(), 9, 1, 4, 7 * MS)));
        original.apply(new DecodeResult.Unknown("Future", p.envelope(), "{}"));

        byte[] bytes = original.toBytes();
        ProcessSummary copy = ProcessSummary.fromBytes(bytes);
        assertThat(ResultsJson.process(copy)).isEqualTo(ResultsJson.process(original));
        assertThat(copy.unresolvedBatches()).isEqualTo(1);
        assertThat(copy.updates()).isEqualTo(original.updates());
        assertThat(copy.missingSeqCount()).isEqualTo(1);

        // re-encoding after the same change gives the same bytes: nothing is lost or reinterpreted
        LemEvent duplicate = p.events().get(3);
        original.apply(known(duplicate));
        copy.apply(known(duplicate));
        assertThat(copy.toBytes()).isEqualTo(original.toBytes());
        assertThat(ProcessSummary.updatesOf(copy.toBytes())).isEqualTo(copy.updates());
    }

    @Test
    void summariesAreCompact() {
        ProcessSummary s = fold(richProcess().events());
        // 220 events, two histograms: a few KB, not a copy of the events
        assertThat(s.toBytes().length).isLessThan(4096);
    }

    @Test
    void launcherSummaryRoundTripsTheConfig() {
        ProcessScript l = ProcessScript.launcher("exp_rt");
        l.experimentStarted(2, Map.of("energy", Map.of("carbon_region", "FR", "pue", 1.2), "seed", 42));
        l.experimentCompleted("completed", 2, 0);
        ProcessSummary launcher = fold(l.events());
        ProcessSummary copy = ProcessSummary.fromBytes(launcher.toBytes());
        assertThat(copy.isLauncher()).isTrue();
        assertThat(copy.carbonRegion()).isEqualTo("FR");
        assertThat(copy.pue()).isEqualTo("1.2");
        assertThat(copy.configJson()).contains("\"seed\":42");
        assertThat(ResultsJson.process(copy)).isEqualTo(ResultsJson.process(launcher));
    }

    @Test
    void experimentSummaryRoundTripsAndIgnoresStaleCopies() {
        ProcessScript l = ProcessScript.launcher("exp_rt");
        l.experimentStarted(1, Map.of());
        ProcessScript p = richProcess();
        ProcessSummary launcher = fold(l.events());
        ProcessSummary early = fold(p.events().subList(0, 10));
        ProcessSummary late = fold(p.events());

        ExperimentSummary e = new ExperimentSummary().withProcess(launcher).withProcess(late);
        e.withProcess(ProcessSummary.fromBytes(early.toBytes())); // an older copy arriving late changes nothing
        assertThat(e.process(0).orElseThrow().events()).isEqualTo(late.events());

        ExperimentSummary copy = ExperimentSummary.fromBytes(e.toBytes());
        assertThat(copy.experimentId()).isEqualTo("exp_rt");
        assertThat(ResultsJson.experiment(copy)).isEqualTo(ResultsJson.experiment(e));
        assertThat(ResultsJson.listRow(copy)).isEqualTo(ResultsJson.listRow(e));
        assertThat(copy.toBytes()).isEqualTo(e.toBytes());
    }

    @Test
    void foreignOrNewerBytesAreRejectedWithAReason() {
        assertThatThrownBy(() -> ProcessSummary.fromBytes("{\"json\":1}".getBytes()))
                .isInstanceOf(SummaryFormatException.class).hasMessageContaining("not a process summary");
        byte[] newer = new ProcessSummary().toBytes();
        newer[2] = 99;
        assertThatThrownBy(() -> ProcessSummary.fromBytes(newer)).hasMessageContaining("format 99 is not supported");
        byte[] truncated = fold(richProcess().events()).toBytes();
        assertThatThrownBy(() -> ProcessSummary.fromBytes(java.util.Arrays.copyOf(truncated, truncated.length / 2)))
                .isInstanceOf(SummaryFormatException.class);
        assertThatThrownBy(() -> ExperimentSummary.fromBytes(new byte[]{1, 2, 3}))
                .hasMessageContaining("not an experiment summary");
    }

    @Test
    void envelopeIdentityComesFromTheFirstEvent() {
        ProcessSummary s = new ProcessSummary();
        s.apply(known(new TokensGenerated(new Envelope(1, "e", "exp_x", 3, 0, "h", T0, 0), 0, 1, 1, MS)));
        assertThat(s.experimentId()).isEqualTo("exp_x");
        assertThat(s.processIndex()).isEqualTo(3);
        assertThat(s.unresolvedBatches()).isEqualTo(1);
    }
}
