package io.lem.aggregator.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class RangeSetTest {

    private static List<String> text(List<long[]> ranges) {
        List<String> out = new ArrayList<>();
        for (long[] r : ranges) {
            out.add(RangeSet.rangeText(r[0], r[1]));
        }
        return out;
    }

    @Test
    void inOrderArrivalIsOneRangeAndDuplicatesAreRejected() {
        RangeSet s = new RangeSet();
        for (long i = 0; i < 1000; i++) {
            assertThat(s.add(i)).isTrue();
        }
        assertThat(s.add(500)).isFalse();
        assertThat(s.rangeCount()).isEqualTo(1);
        assertThat(s.size()).isEqualTo(1000);
        assertThat(s.isContiguousFromZero()).isTrue();
        assertThat(s.missing(-1)).isEmpty();
        assertThat(text(s.missing(1002))).containsExactly("1000..1002");
    }

    @Test
    void holesAreReportedAndFilledInAnyOrder() {
        RangeSet s = new RangeSet();
        for (long v : new long[]{0, 1, 2, 5, 6, 9}) {
            s.add(v);
        }
        assertThat(text(s.missing(-1))).containsExactly("3..4", "7..8");
        assertThat(s.missingCount(10)).isEqualTo(5);
        s.add(4);
        s.add(3);
        s.add(8);
        assertThat(text(s.missing(-1))).containsExactly("7");
        s.add(7);
        assertThat(s.rangeCount()).isEqualTo(1);
        assertThat(s.toString()).isEqualTo("0..9");
    }

    @Test
    void anyInsertionOrderGivesTheSameSetAsATreeSet() {
        Random random = new Random(3);
        for (int round = 0; round < 50; round++) {
            List<Long> values = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                values.add((long) random.nextInt(400));
            }
            Collections.shuffle(values, random);
            RangeSet s = new RangeSet();
            TreeSet<Long> expected = new TreeSet<>();
            for (long v : values) {
                assertThat(s.add(v)).isEqualTo(expected.add(v));
            }
            assertThat(s.size()).isEqualTo(expected.size());
            for (long v = 0; v < 400; v++) {
                assertThat(s.contains(v)).isEqualTo(expected.contains(v));
            }
            long missing = 0;
            for (long v = 0; v <= expected.last(); v++) {
                missing += expected.contains(v) ? 0 : 1;
            }
            assertThat(s.missingCount(-1)).isEqualTo(missing);

            BinWriter w = new BinWriter(16);
            s.write(w);
            RangeSet copy = RangeSet.read(new BinReader(w.toByteArray()));
            assertThat(copy.toString()).isEqualTo(s.toString());
            assertThat(copy.size()).isEqualTo(s.size());
        }
    }
}
