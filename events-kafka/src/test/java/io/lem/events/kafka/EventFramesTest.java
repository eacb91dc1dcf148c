package io.lem.events.kafka;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFramesTest {

    @Test
    void oneEventHasASeqHeaderAndNoCount() {
        Headers headers = EventFrames.headers(42, 1);
        assertThat(EventFrames.packed(headers)).isFalse();
        assertThat(EventFrames.firstSeq(headers)).isEqualTo(42);
        assertThat(EventFrames.declaredCount(headers)).isEqualTo(1);
    }

    @Test
    void aPackedRecordNamesItsFirstSeqAndCount() {
        Headers headers = EventFrames.headers(7_000_000_000L, 300);
        assertThat(EventFrames.packed(headers)).isTrue();
        assertThat(EventFrames.firstSeq(headers)).isEqualTo(7_000_000_000L);
        assertThat(EventFrames.declaredCount(headers)).isEqualTo(300);
        assertThatThrownBy(() -> EventFrames.headers(0, 0)).hasMessageContaining("at least one event");
    }

    @Test
    void malformedHeadersReadAsAbsent() {
        Headers headers = new RecordHeaders().add(EventFrames.SEQ_HEADER, new byte[3])
                .add(EventFrames.COUNT_HEADER, new byte[] {0, 0, 0, 0});
        assertThat(EventFrames.firstSeq(headers)).isEqualTo(-1);
        assertThat(EventFrames.declaredCount(headers)).isEqualTo(-1);
        assertThat(EventFrames.firstSeq(new RecordHeaders())).isEqualTo(-1);
    }

    @Test
    void linesOfAPackedRecordAreVisitedAndEmptyOnesSkipped() {
        byte[] value = "{\"a\":1}\n\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8);
        assertThat(lines(EventFrames.headers(0, 2), value)).containsExactly("{\"a\":1}", "{\"b\":2}");
        List<Integer> numbers = new ArrayList<>();
        EventFrames.forEachEvent(EventFrames.headers(0, 2), value, (v, offset, length, line) -> numbers.add(line));
        assertThat(numbers).as("line numbers count events, from 1").containsExactly(1, 2);
        EventFrames.forEachEvent(new RecordHeaders(), value, (v, offset, length, line) -> numbers.add(line));
        assertThat(numbers).as("a record of one event has line 0").containsExactly(1, 2, 0);
    }

    @Test
    void withoutTheCountHeaderTheWholeValueIsOneEventNewlinesAndAll() {
        // a pretty-printed event from another producer stays one event
        byte[] value = "{\n  \"a\": 1\n}".getBytes(StandardCharsets.UTF_8);
        assertThat(lines(new RecordHeaders(), value)).containsExactly("{\n  \"a\": 1\n}");
        assertThat(EventFrames.forEachEvent(new RecordHeaders(), null, (v, o, l, line) -> {
            throw new AssertionError("no value, no event");
        })).isZero();
    }

    @Test
    void theEndOfALineIsFoundAtEveryPositionAndAmongAnyBytes() {
        java.util.Random random = new java.util.Random(11);
        for (int length = 0; length < 40; length++) {
            for (int at = -1; at < length; at++) {
                byte[] value = new byte[length];
                for (int i = 0; i < length; i++) {
                    // every byte value but the separator, high bit set included (UTF-8)
                    byte b;
                    do {
                        b = (byte) random.nextInt(256);
                    } while (b == EventFrames.SEPARATOR);
                    value[i] = b;
                }
                if (at >= 0) {
                    value[at] = EventFrames.SEPARATOR;
                }
                for (int start = 0; start <= length; start++) {
                    int expected = at >= start ? at : length;
                    assertThat(EventFrames.end(value, start)).as("length %d, separator at %d, from %d", length, at,
                            start).isEqualTo(expected);
                }
            }
        }
        byte[] two = "ab\ncdefghij\nk".getBytes(StandardCharsets.UTF_8);
        assertThat(EventFrames.end(two, 0)).isEqualTo(2);
        assertThat(EventFrames.end(two, 3)).isEqualTo(11);
    }

    private static List<String> lines(Headers headers, byte[] value) {
        List<String> lines = new ArrayList<>();
        int n = EventFrames.forEachEvent(headers, value,
                (v, offset, length, line) -> lines.add(new String(v, offset, length, StandardCharsets.UTF_8)));
        assertThat(n).isEqualTo(lines.size());
        return lines;
    }
}
