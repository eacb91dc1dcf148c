package io.lem.api.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming decoder must be invisible: for every record, {@link EventCodec#decode} (streaming, falling back to
 * the trees) gives exactly what the tree-based reference decoder gives, the same event or the same error message.
 */
class StreamingDecoderEquivalenceTest {
    private final EventCodec codec = new EventCodec();
    private final ObjectMapper json = new ObjectMapper();

    /** Replacement values tried in every field: wrong types, edges of int and long, nesting, nulls. */
    private static final List<String> VALUES = List.of("null", "0", "1", "-1", "-2", "7", "2147483647", "2147483648",
            "-2147483649", "9223372036854775807", "9223372036854775808", "1.5", "2.0", "1e3", "1e400", "-0.0",
            "\"4\"", "\"\"", "\" \"", "\"text\"", "true", "false", "{}", "{\"a\":1}", "{\"eos\":\"1\"}",
            "{\"eos\":2}", "[]", "[1]", "[{\"key\":\"k\"}]", "[{\"name\":\"n\",\"version\":1}]");

    static List<LemEvent> allEvents() {
        return SampleEvents.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allEvents")
    void wellFormedEventsTakeTheStreamingPathWithTheSameResult(LemEvent event) throws Exception {
        byte[] bytes = codec.encode(event);
        DecodeResult streamed = codec.decodeStreaming(bytes);
        assertThat(streamed).isNotNull().isEqualTo(codec.decodeViaTrees(bytes));
        assertThat(((DecodeResult.Known) streamed).event()).isEqualTo(event);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allEvents")
    void everyFieldMutationDecodesAsTheTreesDo(LemEvent event) throws Exception {
        ObjectNode base = (ObjectNode) json.readTree(codec.encode(event));
        List<String> fields = new ArrayList<>();
        base.fieldNames().forEachRemaining(fields::add);
        fields.add("envelope");
        fields.add("somethingNew");
        int streamedCount = 0;
        int cases = 0;
        for (String field : fields) {
            ObjectNode removed = base.deepCopy();
            removed.remove(field);
            streamedCount += check(json.writeValueAsBytes(removed));
            cases++;
            for (String value : VALUES) {
                ObjectNode mutated = base.deepCopy();
                mutated.set(field, json.readTree(value));
                streamedCount += check(json.writeValueAsBytes(mutated));
                cases++;
            }
        }
        // the streaming path takes a good share of the cases and leaves the rest to the trees
        assertThat(streamedCount).isPositive().isLessThan(cases);
    }

    @Test
    void unusualRecordsDecodeAsTheTreesDo() throws Exception {
        String good = codec.encodeToString(SampleEvents.all().get(2));
        String body = good.substring(1, good.length() - 1);
        List<String> records = List.of(
                good,
                "{" + body + ",\"batchSize\":9}",                        // duplicate field: the last one wins
                "{" + body + ",\"seq\":9}",                              // duplicate envelope field
                good + " {}",                                            // trailing content
                good + " x",
                "{" + body.replace("\"type\":\"BatchStarted\",", "") + ",\"type\":\"BatchStarted\"}", // type last
                "{" + body + ",\"nested\":{\"deep\":[1,{\"x\":[]}]}}",
                "{" + body + ",\"type2\":null}",
                "{}",
                "[]",
                "7",
                "\"x\"",
                "null",
                "{\"type\":\"BatchStarted\"",
                "{\"type\":",
                " ",
                "{\"type\":\"GpuThrottled\",\"v\":1,\"eventId\":\"e\",\"experimentId\":\"x\",\"processIndex\":0,"
                        + "\"seq\":0,\"host\":\"h\",\"timeEpochNanos\":1,\"monoNanos\":1,\"reason\":{\"a\":[1,2]}}",
                "{\"type\":\"GpuThrottled\",\"v\":1,\"eventId\":\"e\",\"experimentId\":\"x\",\"processIndex\":-1,"
                        + "\"seq\":0,\"host\":\"h\",\"timeEpochNanos\":1,\"monoNanos\":1,\"reason\":}",
                good.replace("\"batchSize\":4", "\"batchSize\":4.0"),
                good.replace("\"batchSize\":4", "\"batchSize\":04"),
                good.replace("\"batchSize\":4", "\"batchSize\":4e0"),
                good.replace("\"host\":\"host-a\"", "\"host\":\"h\\u00e9\\n\""));
        for (String record : records) {
            check(record.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void unknownFieldsAreListedInRecordOrder() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(codec.encode(SampleEvents.all().get(4)));
        node.put("zeta", 1);
        node.putArray("alpha");
        node.put("envelope", "x");
        byte[] bytes = json.writeValueAsBytes(node);
        DecodeResult.Known known = (DecodeResult.Known) codec.decodeStreaming(bytes);
        assertThat(known.unknownFields()).containsExactly("zeta", "alpha", "envelope");
        assertThat(known).isEqualTo(codec.decodeViaTrees(bytes));
    }

    /** Decodes both ways and compares; 1 when the streaming path decoded it itself. */
    private int check(byte[] bytes) {
        String record = new String(bytes, StandardCharsets.UTF_8);
        Object reference = outcome(() -> codec.decodeViaTrees(bytes));
        Object actual = outcome(() -> codec.decode(bytes));
        assertThat(actual).as(record).isEqualTo(reference);
        DecodeResult streamed = codec.decodeStreaming(bytes);
        if (streamed != null) {
            assertThat(streamed).as(record).isEqualTo(reference);
            return 1;
        }
        return 0;
    }

    private interface Decoding {
        DecodeResult run() throws EventFormatException;
    }

    private static Object outcome(Decoding decoding) {
        try {
            return decoding.run();
        } catch (EventFormatException e) {
            return "EventFormatException: " + e.getMessage();
        }
    }

}
