package io.lem.runner.events;

import io.lem.events.kafka.EventFrames;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class RecordPackerTest {
    private record Sent(String key, String value, long firstSeq, int count, Headers headers) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final RecordPacker packer = new RecordPacker((key, value, headers, firstSeq, count) ->
            sent.add(new Sent(key, new String(value, StandardCharsets.UTF_8), firstSeq, count, headers)));

    private void add(String key, long seq, String line) {
        byte[] bytes = ("#" + line + "#").getBytes(StandardCharsets.UTF_8);
        packer.add(key, seq, bytes, 1, bytes.length - 2); // a slice, as the spool's chunk hands them over
    }

    @Test
    void consecutiveLinesOfOneKeyGoOutAsOneRecordWithTheirHeaders() {
        add("e/0", 7, "a");
        add("e/0", 8, "b");
        add("e/0", 9, "c");
        assertThat(sent).isEmpty();
        packer.flush();
        packer.flush(); // nothing more
        assertThat(sent).hasSize(1);
        Sent s = sent.get(0);
        assertThat(s.value()).isEqualTo("a\nb\nc");
        assertThat(s.firstSeq()).isEqualTo(7);
        assertThat(s.count()).isEqualTo(3);
        assertThat(EventFrames.firstSeq(s.headers())).isEqualTo(7);
        assertThat(EventFrames.declaredCount(s.headers())).isEqualTo(3);
    }

    @Test
    void anotherKeyOrAGapInTheSeqsStartsANewRecord() {
        add("e/0", 0, "a");
        add("e/1", 1, "b");
        add("e/1", 3, "c");
        packer.flush();
        assertThat(sent).extracting(Sent::key, Sent::value, Sent::firstSeq)
                .containsExactly(tuple("e/0", "a", 0L),
                        tuple("e/1", "b", 1L),
                        tuple("e/1", "c", 3L));
        assertThat(EventFrames.packed(sent.get(0).headers())).as("one event: no count header").isFalse();
    }

    @Test
    void recordsStayWithinTheBoundAndALargerLineGoesAlone() {
        char[] chars = new char[1000];
        Arrays.fill(chars, 'x');
        String line = new String(chars);
        for (int seq = 0; seq < 200; seq++) {
            add("e/0", seq, line);
        }
        char[] huge = new char[KafkaSinkSettings.MAX_RECORD_BYTES + 10];
        Arrays.fill(huge, 'y');
        add("e/0", 200, new String(huge));
        add("e/0", 201, line);
        packer.flush();
        long events = 0;
        for (Sent s : sent) {
            events += s.count();
            if (s.count() > 1) {
                assertThat(s.value().length()).isLessThanOrEqualTo(KafkaSinkSettings.MAX_RECORD_BYTES);
            }
        }
        assertThat(events).isEqualTo(202);
        assertThat(sent.get(0).count()).as("as many 1,000-byte lines as fit").isEqualTo(
                (KafkaSinkSettings.MAX_RECORD_BYTES + 1) / 1001);
        Sent alone = sent.stream().filter(s -> s.firstSeq() == 200).findFirst().orElseThrow();
        assertThat(alone.count()).isEqualTo(1);
        assertThat(sent.get(sent.size() - 1).firstSeq()).isEqualTo(201);
    }
}
