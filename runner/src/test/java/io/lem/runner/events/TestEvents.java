package io.lem.runner.events;

import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PowerSample;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.TokensGenerated;

import io.lem.api.event.EventCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A realistic mix of event types for delivery tests. */
final class TestEvents {
    private TestEvents() {
    }

    /** The i-th event of a process: a rotation over the common event types. */
    static LemEvent mixed(Envelope envelope, long i) {
        int batch = (int) (i / 10);
        switch ((int) (i % 8)) {
            case 0:
                return new BatchStarted(envelope, batch, 8, 512, 640, false);
            case 1:
                return new PrefillCompleted(envelope, batch, 12_000_000L, 512);
            case 2:
            case 3:
                return new TokensGenerated(envelope, batch, (int) (i % 64), 8, 3_000_000L);
            case 4:
                return new PowerSample(envelope, "gpu:GPU-0000", 250.5 + i % 7, "nvml");
            case 5:
                return new MemorySample(envelope, "gpu:GPU-0000", 10_000_000L + i, 20_000_000L, 80_000_000_000L);
            case 6:
                return new EnergyReading(envelope, "gpu:GPU-0000", "counter", "batch-" + batch, 1.5 * i, 1_000_000L * i,
                        null, "nvml");
            default:
                return i % 16 == 7
                        ? new FlopsEstimate(envelope, "parameter", batch, 2.0e9, 1.0e9, 512, Map.of("mlp", 1.5e9))
                        : new BatchCompleted(envelope, batch, 512, 64, 12_000_000L, 50_000_000L, 70_000_000L, false,
                                Map.of("eos", 6, "length", 2));
        }
    }

    /** Process 0 of {@code experimentId}: its first {@code count} events of the {@link #mixed} rotation, as lines. */
    static List<String> mixedLines(String experimentId, int count) {
        EventCodec codec = new EventCodec();
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(codec.encodeToString(mixed(Envelope.now(experimentId, 0, i, "h"), i)));
        }
        return lines;
    }

    /** Emits {@code count} events of the {@link #mixed} rotation, the i-th chosen by its seq. */
    static void emitMixed(EventEmitter emitter, int count) {
        for (int i = 0; i < count; i++) {
            emitter.emit(env -> mixed(env, env.seq()));
        }
    }

    /** The last event of a process, announcing its last seq. */
    static ProcessCompleted completed(Envelope envelope) {
        return new ProcessCompleted(envelope, envelope.seq(), 10, 5120, 640, 1_000_000_000L);
    }
}
