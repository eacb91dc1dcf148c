package io.lem.api.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {
    private final EventCodec codec = new EventCodec();
    private final ObjectMapper json = new ObjectMapper();

    static List<LemEvent> allEvents() {
        return SampleEvents.all();
    }

    @Test
    void samplesCoverEveryPermittedType() {
        var sampled = SampleEvents.all().stream().map(LemEvent::type).collect(Collectors.toSet());
        var permitted = Arrays.stream(LemEvent.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toSet());
        assertThat(sampled).isEqualTo(permitted).isEqualTo(EventCodec.knownTypeNames());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allEvents")
    void everyTypeRoundTrips(LemEvent event) throws Exception {
        DecodeResult result = codec.decode(codec.encode(event));
        assertThat(result).isInstanceOf(DecodeResult.Known.class);
        DecodeResult.Known known = (DecodeResult.Known) result;
        assertThat(known.event()).isEqualTo(event);
        assertThat(known.unknownFields()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allEvents")
    void jsonIsFlatWithEnvelopeFirst(LemEvent event) throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(event));
        List<String> names = iterate(node);
        assertThat(names.subList(0, EventCodec.ENVELOPE_FIELDS.size())).isEqualTo(EventCodec.ENVELOPE_FIELDS);
        assertThat(node.get("type").asText()).isEqualTo(event.type());
        assertThat(node.has("envelope")).isFalse();
    }

    @Test
    void absentValuesAreOmittedNotZero() throws Exception {
        var reading = new EnergyReading(SampleEvents.envelope(3), "cpu:h:package-0", "model", "run", 10.0, 1L,
                null, "cpu-model");
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(reading));
        assertThat(node.has("uncertaintyJoules")).isFalse();
        assertThat(((DecodeResult.Known) codec.decode(codec.encode(reading))).event()).isEqualTo(reading);
    }

    @Test
    void unknownTypeIsReportedWithItsEnvelopeNotThrown() throws Exception {
        String record = """
                {"v":2,"type":"GpuThrottled","eventId":"e1","experimentId":"exp_1","processIndex":3,"seq":17,
                 "host":"h","timeEpochNanos":1,"monoNanos":2,"reason":"thermal"}""";
        DecodeResult result = codec.decode(record);
        assertThat(result).isInstanceOf(DecodeResult.Unknown.class);
        DecodeResult.Unknown unknown = (DecodeResult.Unknown) result;
        assertThat(unknown.type()).isEqualTo("GpuThrottled");
        assertThat(unknown.envelope().seq()).isEqualTo(17);
        assertThat(unknown.envelope().key()).isEqualTo("exp_1/3");
        assertThat(unknown.json()).contains("thermal");
    }

    @Test
    void unknownFieldsAreSkippedAndListed() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(SampleEvents.all().get(6)));
        node.put("v", 2);
        node.put("temperatureCelsius", 71.5);
        node.putObject("nested").put("x", 1);
        DecodeResult.Known known = (DecodeResult.Known) codec.decode(json.writeValueAsBytes(node));
        assertThat(known.unknownFields()).containsExactly("temperatureCelsius", "nested");
        assertThat(((PowerSample) known.event()).powerWatts()).isEqualTo(312.5);
        assertThat(known.envelope().v()).isEqualTo(2);
    }

    @Test
    void aSliceDecodesAsTheEventItHoldsOnBothPaths() throws Exception {
        // the lines of a packed record: a known event (streaming path), an unknown type, and one the streaming path
        // declines (a duplicate field, last one wins on the tree path)
        byte[] known = codec.encode(SampleEvents.all().get(6));
        byte[] unknown = ("{\"v\":2,\"type\":\"GpuThrottled\",\"eventId\":\"e1\",\"experimentId\":\"exp_1\","
                + "\"processIndex\":3,\"seq\":17,\"host\":\"h\",\"timeEpochNanos\":1,\"monoNanos\":2}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] declined = new String(known, StandardCharsets.UTF_8).replaceFirst("\\}$", ",\"host\":\"other\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] packed = join(known, unknown, declined);

        DecodeResult first = codec.decode(packed, 0, known.length);
        assertThat(first).isEqualTo(codec.decode(known));
        DecodeResult second = codec.decode(packed, known.length + 1, unknown.length);
        assertThat(((DecodeResult.Unknown) second).json()).isEqualTo(new String(unknown, StandardCharsets.UTF_8));
        DecodeResult third = codec.decode(packed, known.length + unknown.length + 2, declined.length);
        assertThat(third.envelope().host()).isEqualTo("other");
        assertThatThrownBy(() -> codec.decode(packed, 0, known.length + 1 + 5))
                .isInstanceOf(EventFormatException.class).hasMessageStartingWith("malformed event: not valid JSON");
        assertThatThrownBy(() -> codec.decode(packed, 3, 0)).hasMessage("malformed event: empty record");
    }

    @Test
    void anythingAfterTheEventIsAnError() throws Exception {
        String event = codec.encodeToString(SampleEvents.all().get(6));
        assertThatThrownBy(() -> codec.decode(event + " " + event))
                .isInstanceOf(EventFormatException.class).hasMessageStartingWith("malformed event: not valid JSON")
                .hasMessageContaining("Trailing token");
        assertThat(codec.decode(event + " \n").envelope()).isEqualTo(codec.decode(event).envelope());
    }

    private static byte[] join(byte[]... lines) {
        int size = lines.length - 1;
        for (byte[] line : lines) {
            size += line.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] line : lines) {
            if (at > 0) {
                out[at++] = '\n';
            }
            System.arraycopy(line, 0, out, at, line.length);
            at += line.length;
        }
        return out;
    }

    @Test
    void notJsonNamesTheProblemAndPosition() {
        assertThatThrownBy(() -> codec.decode("{\"type\": \"BatchStarted\", oops}"))
                .isInstanceOf(EventFormatException.class)
                .hasMessageStartingWith("malformed event: not valid JSON")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void nonObjectAndEmptyRecordsAreRejected() {
        assertThatThrownBy(() -> codec.decode("[1,2]")).hasMessage("malformed event: expected a JSON object, got array");
        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessage("malformed event: empty record");
    }

    @Test
    void missingTypeIsNamed() {
        assertThatThrownBy(() -> codec.decode("{\"v\":1}"))
                .hasMessage("malformed event: field 'type' must be a non-empty string, was missing");
    }

    @Test
    void badEnvelopeFieldIsNamed() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(SampleEvents.all().get(2)));
        node.put("seq", "seven");
        assertThatThrownBy(() -> codec.decode(json.writeValueAsBytes(node)))
                .hasMessage("malformed BatchStarted event: envelope field 'seq' must be an integer, was \"seven\"");
        node.put("seq", -4);
        assertThatThrownBy(() -> codec.decode(json.writeValueAsBytes(node)))
                .hasMessageContaining("envelope field 'seq' must be in [0, ");
        node.put("seq", 4);
        node.remove("experimentId");
        assertThatThrownBy(() -> codec.decode(json.writeValueAsBytes(node)))
                .hasMessage("malformed BatchStarted event: envelope field 'experimentId' must be a non-empty string,"
                        + " was missing");
    }

    @Test
    void missingRequiredPayloadFieldIsNamed() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(SampleEvents.all().get(2)));
        node.remove("batchSize");
        assertThatThrownBy(() -> codec.decode(json.writeValueAsBytes(node)))
                .hasMessage("malformed BatchStarted event (exp_20261128_070000_ab12/1 seq 2): "
                        + "missing required field 'batchSize'");
    }

    @Test
    void wrongPayloadTypeIsNamedWithoutCoercion() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(SampleEvents.all().get(2)));
        node.put("batchSize", "4");
        assertThatThrownBy(() -> codec.decode(json.writeValueAsBytes(node)))
                .isInstanceOf(EventFormatException.class)
                .hasMessage("malformed BatchStarted event (exp_20261128_070000_ab12/1 seq 2): "
                        + "field 'batchSize': expected int, was \"4\"");
        node.put("batchSize", 4.5);
        assertThatThrownBy(() -> codec.decode(json.writeValueAsBytes(node)))
                .hasMessageContaining("field 'batchSize'");
    }

    @Test
    void decodeKnownRejectsUnknownTypesWithTheList() {
        String record = "{\"v\":1,\"type\":\"Nope\",\"eventId\":\"e\",\"experimentId\":\"x\",\"processIndex\":0,"
                + "\"seq\":0,\"host\":\"h\",\"timeEpochNanos\":1,\"monoNanos\":1}";
        assertThatThrownBy(() -> codec.decodeKnown(record.getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("unknown event type 'Nope'; known types: ExperimentStarted, ProcessStarted");
    }

    private static List<String> iterate(ObjectNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
