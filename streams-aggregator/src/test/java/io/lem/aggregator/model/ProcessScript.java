package io.lem.aggregator.model;

import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.ExperimentCompleted;
import io.lem.api.event.ExperimentStarted;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.api.event.ProcessStarted;
import io.lem.api.event.TokensGenerated;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes the events of one key (a runner process or the launcher) the way the runner would: seq from 0, a wall clock
 * that the script advances explicitly. Shared by the model and topology tests.
 */
public final class ProcessScript {
    public static final long T0 = 1_795_856_400_000_000_000L; // 2026-11-28T09:00:00Z
    private static final long MS = 1_000_000L;

    private final String experimentId;
    private final int processIndex;
    private final String host;
    private final List<LemEvent> events = new ArrayList<>();
    private long seq;
    private long clock;
    /** Names the run: event ids depend on it, so a second script of the same key with another run is another run. */
    private String run = "";

    public ProcessScript(String experimentId, int processIndex, String host, long startEpochNanos) {
        this.experimentId = experimentId;
        this.processIndex = processIndex;
        this.host = host;
        this.clock = startEpochNanos;
    }

    public static ProcessScript launcher(String experimentId) {
        return new ProcessScript(experimentId, -1, "launcher-host", T0);
    }

    /** Everything written so far, in seq order. */
    public List<LemEvent> events() {
        return List.copyOf(events);
    }

    public long nextSeq() {
        return seq;
    }

    public long clock() {
        return clock;
    }

    /**
     * Makes this script a different run of the same key (the experiment id used again): its events get other ids,
     * where a script of the same key and run writes re-sends of the same events.
     */
    public ProcessScript run(String name) {
        run = name;
        return this;
    }

    /** Moves the wall clock forward. */
    public ProcessScript advance(long nanos) {
        clock += nanos;
        return this;
    }

    /** Sets the wall clock. */
    public ProcessScript at(long epochNanos) {
        clock = epochNanos;
        return this;
    }

    public Envelope envelope() {
        Envelope e = new Envelope(1, UUID.nameUUIDFromBytes((experimentId + "/" + processIndex + "/" + seq + run).getBytes())
                .toString(), experimentId, processIndex, seq, host, clock, clock - T0);
        seq++;
        return e;
    }

    private <T extends LemEvent> T add(T e) {
        events.add(e);
        return e;
    }

    public ExperimentStarted experimentStarted(int numProcesses, Map<String, Object> config) {
        return add(new ExperimentStarted(envelope(), "test-config", "lem-synthetic/tiny-llama", null, numProcesses,
                config, "0.1.0-test"));
    }

    public ExperimentCompleted experimentCompleted(String status, int numProcesses, int failed) {
        return add(new ExperimentCompleted(envelope(), status, numProcesses, failed, 30_000 * MS));
    }

    public ProcessStarted processStarted(int numProcesses, String... deviceKeys) {
        List<DeviceInfo> devices = new ArrayList<>();
        for (String key : deviceKeys) {
            devices.add(new DeviceInfo(key, key.substring(0, key.indexOf(':')), "device " + key, null, null));
        }
        return add(new ProcessStarted(envelope(), "machine-" + host, 4000 + processIndex, 0, numProcesses, devices,
                "Test CPU", List.of(new PluginInfo("nvml", "0.1.0", "energy"))));
    }

    /**
     * One batch: BatchStarted, PrefillCompleted, one TokensGenerated per step duration (each producing
     * {@code batchSize} tokens), BatchCompleted; the clock advances by the ttft and each step.
     */
    public List<LemEvent> batch(int index, boolean warmup, int batchSize, long inputTokens, long ttftNanos,
                                long... stepNanos) {
        List<LemEvent> out = new ArrayList<>();
        long start = clock;
        out.add(add(new BatchStarted(envelope(), index, batchSize, inputTokens, inputTokens + 2, warmup)));
        advance(ttftNanos);
        out.add(add(new PrefillCompleted(envelope(), index, ttftNanos, inputTokens)));
        long decode = 0;
        for (int s = 0; s < stepNanos.length; s++) {
            advance(stepNanos[s]);
            decode += stepNanos[s];
            out.add(add(new TokensGenerated(envelope(), index, s + 1, batchSize, stepNanos[s])));
        }
        long outputTokens = (long) batchSize * (stepNanos.length + 1);
        out.add(add(new BatchCompleted(envelope(), index, inputTokens, outputTokens, ttftNanos, decode,
                clock - start, warmup, Map.of("length", batchSize))));
        return out;
    }

    public EnergyReading energy(String deviceKey, String method, String window, double joules, long windowNanos) {
        return add(new EnergyReading(envelope(), deviceKey, method, window, joules, windowNanos, null, "test"));
    }

    public EnergyReading energy(String deviceKey, String method, String window, double joules, long windowNanos,
                                Double uncertainty) {
        return add(new EnergyReading(envelope(), deviceKey, method, window, joules, windowNanos, uncertainty, "test"));
    }

    public FlopsEstimate flops(String method, Integer batchIndex, double flops, long tokens) {
        return add(new FlopsEstimate(envelope(), method, batchIndex, flops, flops / 2, tokens, Map.of()));
    }

    public MemorySample memory(String deviceKey, long used, long peak) {
        return add(new MemorySample(envelope(), deviceKey, used, peak, null));
    }

    public PowerSample power(String deviceKey, double watts) {
        return add(new PowerSample(envelope(), deviceKey, watts, "test"));
    }

    public ProcessCompleted completed() {
        long s = seq;
        long batches = events.stream().filter(e -> e instanceof BatchCompleted && !((BatchCompleted) e).warmup())
                .count();
        long in = events.stream().filter(e -> e instanceof BatchCompleted && !((BatchCompleted) e).warmup())
                .mapToLong(e -> ((BatchCompleted) e).inputTokens()).sum();
        long out = events.stream().filter(e -> e instanceof BatchCompleted && !((BatchCompleted) e).warmup())
                .mapToLong(e -> ((BatchCompleted) e).outputTokens()).sum();
        return add(new ProcessCompleted(envelope(), s, (int) batches, in, out, 1_000 * MS));
    }

    public ProcessFailed failed(String reason) {
        return add(new ProcessFailed(envelope(), reason, seq));
    }

    /** Skips a seq without writing an event (an event that will never arrive). */
    public ProcessScript skip() {
        seq++;
        return this;
    }
}
