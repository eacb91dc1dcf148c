package io.lem.api.event;

import java.util.List;
import java.util.Map;

/** One populated instance of every event type, for round-trip tests. */
final class SampleEvents {
    private SampleEvents() {
    }

    static Envelope envelope(long seq) {
        return new Envelope(LemEvent.SCHEMA_VERSION, "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "exp_20261128_070000_ab12",
                1, seq, "host-a", 1_795_000_000_123_456_789L, 987_654_321L);
    }

    static List<LemEvent> all() {
        return List.of(
                new ExperimentStarted(envelope(0), "quickstart", "lem-synthetic/tiny-llama", "main", 2,
                        Map.of("max_output_tokens", 32, "decoder_config", Map.of("top_p", 0.9)), "0.1.0"),
                new ProcessStarted(envelope(1), "machine-1", 4242L, 0, 2,
                        List.of(new DeviceInfo("gpu:GPU-1234", "gpu", "NVIDIA H100", "GPU-1234", 85_899_345_920L),
                                new DeviceInfo("cpu:host-a:package-0", "cpu", "Xeon", null, null)),
                        "Intel Xeon", List.of(new PluginInfo("nvml", "0.1.0", "energy"))),
                new BatchStarted(envelope(2), 0, 4, 100, 128, false),
                new PrefillCompleted(envelope(3), 0, 12_000_000L, 100),
                new TokensGenerated(envelope(4), 0, 1, 4, 3_000_000L),
                new BatchCompleted(envelope(5), 0, 100, 64, 12_000_000L, 48_000_000L, 60_000_000L, false,
                        Map.of("eos", 1, "length", 3)),
                new PowerSample(envelope(6), "gpu:GPU-1234", 312.5, "nvml"),
                new EnergyReading(envelope(7), "gpu:GPU-1234", "counter", "run", 1234.5, 5_000_000_000L, 0.5,
                        "nvml"),
                new MemorySample(envelope(8), "gpu:GPU-1234", 1_000_000L, 2_000_000L, 85_899_345_920L),
                new FlopsEstimate(envelope(9), "architecture-causal", 0, 1.5e12, 7.5e11, 164,
                        Map.of("attention", 1e11, "mlp", 1.4e12)),
                new ProcessCompleted(envelope(10), 10, 1, 100, 64, 60_000_000L),
                new ProcessFailed(envelope(11), "CUDA out of memory", 11),
                new ExperimentCompleted(envelope(12), "completed", 2, 0, 70_000_000_000L));
    }
}
