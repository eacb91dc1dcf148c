package io.lem.aggregator.model;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramTest {

    @Test
    void bufferedRecordsFoldIntoTheSameDistributionAsDirectRecording() {
        Random random = new Random(1);
        LatencyHistogram h = new LatencyHistogram();
        Histogram direct = new Histogram(3);
        long sum = 0;
        for (int i = 0; i < 1000; i++) {
            long nanos = 1_000_000L + (long) (random.nextGaussian() * 200_000 + 5_000_000 * random.nextDouble());
            nanos = Math.max(0, nanos);
            int count = 1 + random.nextInt(8);
            h.record(nanos, count);
            direct.recordValueWithCount((nanos + 500) / 1000, count);
            sum += nanos * count;
        }
        assertThat(h.isLive()).isTrue();
        Histogram folded = h.toHistogram();
        assertThat(folded.getTotalCount()).isEqualTo(direct.getTotalCount());
        for (double p : new double[]{1, 50, 90, 99, 99.9, 100}) {
            assertThat(folded.getValueAtPercentile(p)).isEqualTo(direct.getValueAtPercentile(p));
        }
        assertThat(h.count()).isEqualTo(direct.getTotalCount());
        assertThat(h.sumNanos()).isEqualTo(sum);
    }

    @Test
    void serializedFormKeepsPendingValuesAndExactStatistics() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < LatencyHistogram.FOLD_AT - 3; i++) {
            h.record(1_000_000L * (i % 17 + 1), 2);
        }
        assertThat(h.isLive()).isFalse();
        LatencyHistogram copy = roundTrip(h);
        assertThat(copy.count()).isEqualTo(h.count());
        assertThat(copy.sumNanos()).isEqualTo(h.sumNanos());
        assertThat(copy.minNanos()).isEqualTo(1_000_000L);
        assertThat(copy.maxNanos()).isEqualTo(17_000_000L);
        assertThat(copy.pendingPairs()).isEqualTo(LatencyHistogram.FOLD_AT - 3);
        assertThat(copy.toHistogram()).isEqualTo(h.toHistogram());
    }

    @Test
    void aLiveHistogramIsEncodedAndLetGoWhenWrittenAndGoesOnRecordingExactly() {
        LatencyHistogram h = new LatencyHistogram();
        Histogram direct = new Histogram(3);
        for (int i = 0; i < 3 * LatencyHistogram.FOLD_AT; i++) {
            long nanos = 1_000L * (i % 97 + 1) * (i % 5 == 0 ? 1000 : 1);
            h.record(nanos, 1);
            direct.recordValue((nanos + 500) / 1000);
            if (i == LatencyHistogram.FOLD_AT) {
                assertThat(h.isLive()).isTrue();
                assertThat(h.pendingPairs()).isZero();
                LatencyHistogram copy = roundTrip(h);
                // writing leaves only the compact form in memory, and loses nothing
                assertThat(h.isLive()).isFalse();
                assertThat(copy.isLive()).isFalse();
                assertThat(copy.toHistogram()).isEqualTo(h.toHistogram());
                assertThat(copy.toHistogram().getTotalCount()).isEqualTo(i + 1);
            }
        }
        assertThat(h.toHistogram()).isEqualTo(direct);
        LatencyHistogram copy = roundTrip(h);
        assertThat(copy.toHistogram()).isEqualTo(direct);
        assertThat(copy.count()).isEqualTo(3L * LatencyHistogram.FOLD_AT);
        // a reader's copy is its own: recording into the original does not change it
        Histogram snapshot = copy.toHistogram();
        copy.record(5_000_000L, 1);
        assertThat(snapshot.getTotalCount()).isEqualTo(3L * LatencyHistogram.FOLD_AT);
    }

    private static LatencyHistogram roundTrip(LatencyHistogram h) {
        BinWriter w = new BinWriter(16);
        h.write(w);
        return LatencyHistogram.read(new BinReader(w.toByteArray()));
    }

    @Test
    void absurdDurationsAreClampedInsteadOfBreakingTheHistogram() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(Long.MAX_VALUE, 1);
        h.record(-5, 1);
        for (int i = 0; i < LatencyHistogram.FOLD_AT; i++) {
            h.record(1_000_000L, 1); // forces a fold
        }
        assertThat(h.maxNanos()).isEqualTo(LatencyHistogram.MAX_NANOS);
        assertThat(h.minNanos()).isZero();
        assertThat(h.toHistogram().getTotalCount()).isEqualTo(LatencyHistogram.FOLD_AT + 2);
    }

    @Test
    void addMergesExactly() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        Histogram all = new Histogram(3);
        for (int i = 1; i <= 500; i++) {
            (i % 2 == 0 ? a : b).record(i * 37_000L, 1);
            all.recordValue((i * 37_000L + 500) / 1000);
        }
        a.add(b);
        assertThat(a.toHistogram()).isEqualTo(all);
        assertThat(roundTrip(a).toHistogram()).isEqualTo(all);
        assertThat(a.count()).isEqualTo(500);
        assertThat(a.minNanos()).isEqualTo(37_000L);
    }
}
