package io.lem.api.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-pass encoder writes exactly the bytes of the former tree encoder, for every event type. */
class EncoderEquivalenceTest {

    private final EventCodec codec = new EventCodec();

    private static List<LemEvent> cases() {
        List<LemEvent> events = new ArrayList<>(SampleEvents.all());
        Envelope odd = new Envelope(LemEvent.SCHEMA_VERSION, "e\"quoted\"", "exp/with\u00e9-\n", -1, 0,
                "h\u00f6st \t", Long.MIN_VALUE, Long.MAX_VALUE);
        Map<String, Object> nested = new HashMap<>();
        nested.put("null_value", null);
        nested.put("list", List.of(1, 2.5, "x"));
        events.add(new ExperimentStarted(odd, "name", "model", null, 1, nested, "0.1.0")); // null revision left out
        events.add(new ProcessFailed(odd, "line one\nline two \u2014 \"quoted\"", 0));
        events.add(new PowerSample(odd, "cpu:h:package-0", 0.1 + 0.2, "cpu-model"));    // a double that needs 17 digits
        events.add(new ProcessStarted(odd, null, 1L, 0, 1, List.of(), null, List.of()));  // empty lists, nulls
        // the frequent types, written field by field: nulls, empty maps, odd doubles and strings
        events.add(new EnergyReading(odd, "cpu:h\"x", "model", "batch-3", 1e-9, 0, null, null));
        events.add(new EnergyReading(odd, "gpu:a", "counter", "run", Double.MAX_VALUE, -1, -0.0, "nvml"));
        events.add(new MemorySample(odd, "rss:h:process-0", 0, Long.MAX_VALUE, null));
        events.add(new FlopsEstimate(odd, "parameter", null, 0.0, 1.0 / 3, 0, Map.of()));
        events.add(new FlopsEstimate(odd, "counted", 7, 1e300, 5e-324, 9, Map.of("mlp", 2.5, "attention", 1e20,
                "lm-head", 0.1 + 0.7)));
        events.add(new BatchCompleted(odd, 3, 0, 0, 0, 0, 0, true, Map.of()));
        events.add(new BatchCompleted(odd, 3, 8, 5, 1, 2, 3, false, Map.of("cancelled", 2, "eos", 1, "length", 9)));
        events.add(new PowerSample(odd, null, Double.MIN_VALUE, null));
        events.add(new TokensGenerated(odd, Integer.MAX_VALUE, -1, 0, Long.MIN_VALUE));
        events.add(new BatchStarted(odd, 0, 1, 2, 3, true));
        events.add(new PrefillCompleted(odd, -5, 0, Long.MAX_VALUE));
        return events;
    }

    @Test
    void everyEventEncodesToTheTreeEncodersBytes() {
        for (LemEvent event : cases()) {
            byte[] fast = codec.encode(event);
            assertThat(new String(fast, StandardCharsets.UTF_8)).as(event.type())
                    .isEqualTo(new String(codec.encodeViaTree(event), StandardCharsets.UTF_8));
        }
    }

    @Test
    void whatItWritesDecodesToTheSameEvent() throws Exception {
        for (LemEvent event : SampleEvents.all()) {
            DecodeResult decoded = codec.decode(codec.encode(event));
            assertThat(decoded).isInstanceOf(DecodeResult.Known.class);
            assertThat(((DecodeResult.Known) decoded).event()).as(event.type()).isEqualTo(event);
        }
    }
}
