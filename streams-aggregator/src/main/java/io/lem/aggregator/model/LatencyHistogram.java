package io.lem.aggregator.model;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A mergeable latency distribution: an HdrHistogram (microsecond units, 3 significant digits, auto-resizing) kept in
 * its compact encoded form, plus a short buffer of not-yet-folded (value, count) pairs, plus exact count, sum, min and
 * max in nanoseconds.
 *
 * <p>Why the buffer: decoding and encoding an HdrHistogram costs tens of microseconds, and most summaries read from a
 * store record only a few values before they are written again. Recording therefore only appends to the buffer; once
 * {@value #FOLD_AT} pairs are waiting, the histogram is decoded once into a live {@link Histogram} that records every
 * further value directly, until the summary is written ({@link #write}), which encodes it and lets the live one go: a
 * summary at rest holds only its compact form. (Folding the buffer into the encoded form every {@value #FOLD_AT}
 * values instead, a decode and an encode each time, took a tenth of the aggregator's stream thread.) Readers
 * ({@link #toHistogram()}) see all of it. Percentiles of a merge of several of these equal those of one histogram that
 * recorded all values, because HdrHistogram addition is exact.
 */
public final class LatencyHistogram {
    static final int SIGNIFICANT_DIGITS = 3;
    static final int FOLD_AT = 128;

    private byte[] encoded; // HdrHistogram V2 encoding (zero runs collapsed), null while nothing was folded
    // decoded while values arrive in bulk; when set, it holds everything (encoded and pending are then stale/empty)
    private Histogram live;
    // not yet folded (value µs, count) pairs, kept varint-encoded so that reading and writing a summary copies them
    // as one block instead of parsing them
    private byte[] pending = EMPTY;
    private int pendingLength;
    private int pendingPairs;
    private static final byte[] EMPTY = new byte[0];
    private long count;
    private long sumNanos;
    private long minNanos = Long.MAX_VALUE;
    private long maxNanos = Long.MIN_VALUE;

    /** Values above this (a day) are recorded as this: a corrupt duration must not resize the histogram to exabytes. */
    static final long MAX_NANOS = 86_400_000_000_000L;

    /** Records {@code count} occurrences of {@code nanos}, clamped to {@code 0..}{@link #MAX_NANOS}. */
    public void record(long nanos, long count) {
        if (count <= 0) {
            return;
        }
        long v = Math.min(MAX_NANOS, Math.max(0, nanos));
        this.count += count;
        sumNanos += v * count;
        minNanos = Math.min(minNanos, v);
        maxNanos = Math.max(maxNanos, v);
        if (live != null) {
            live.recordValueWithCount(toMicros(v), count);
            return;
        }
        if (pendingLength + 20 > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(64, pending.length * 2));
        }
        pendingLength = putVarint(pending, pendingLength, toMicros(v));
        pendingLength = putVarint(pending, pendingLength, count);
        pendingPairs++;
        if (pendingPairs >= FOLD_AT) {
            goLive();
        }
    }

    /** Adds everything {@code other} recorded. */
    public void add(LatencyHistogram other) {
        if (other.count == 0) {
            return;
        }
        goLive();
        live.add(other.live != null ? other.live : other.toHistogram());
        count += other.count;
        sumNanos += other.sumNanos;
        minNanos = Math.min(minNanos, other.minNanos);
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    private static int putVarint(byte[] buf, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    private static long toMicros(long nanos) {
        return (nanos + 500) / 1000;
    }

    /** Decodes everything into {@link #live}, which records from now on. */
    private void goLive() {
        if (live == null) {
            live = toHistogram();
            encoded = null;
            clearPending();
        }
    }

    private void clearPending() {
        pending = EMPTY;
        pendingLength = 0;
        pendingPairs = 0;
    }

    private static byte[] encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoByteBuffer(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    /** A fresh HdrHistogram (microseconds) holding every recorded value. */
    public Histogram toHistogram() {
        if (live != null) {
            Histogram copy = live.copy();
            copy.setAutoResize(true);
            return copy;
        }
        Histogram h;
        if (encoded == null) {
            h = new Histogram(SIGNIFICANT_DIGITS);
        } else {
            h = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(encoded), 0);
        }
        h.setAutoResize(true);
        BinReader in = new BinReader(pending, 0, pendingLength);
        for (int i = 0; i < pendingPairs; i++) {
            long value = in.uvar();
            h.recordValueWithCount(value, in.uvar());
        }
        return h;
    }

    /** Everything recorded, as one self-contained HdrHistogram V2 encoding (for export; base64 it for JSON). */
    public byte[] encodedHistogram() {
        return encode(toHistogram());
    }

    public long count() {
        return count;
    }

    public long sumNanos() {
        return sumNanos;
    }

    /** Exact mean in nanoseconds; NaN when empty. */
    public double meanNanos() {
        return count == 0 ? Double.NaN : (double) sumNanos / count;
    }

    public long minNanos() {
        return count == 0 ? 0 : minNanos;
    }

    public long maxNanos() {
        return count == 0 ? 0 : maxNanos;
    }

    /** Pairs waiting to be folded (for tests of the buffering). */
    int pendingPairs() {
        return pendingPairs;
    }

    /** Whether values are being recorded into a decoded histogram (for tests of the buffering). */
    boolean isLive() {
        return live != null;
    }

    /** Writes the compact form; a live histogram is encoded and let go (the summary is at rest again). */
    void write(BinWriter w) {
        w.uvar(count);
        if (count == 0) {
            return;
        }
        if (live != null) {
            encoded = encode(live);
            live = null;
        }
        w.uvar(sumNanos);
        w.uvar(minNanos);
        w.uvar(maxNanos);
        w.bytes(encoded);
        w.uvar(pendingPairs);
        w.bytes(pending, 0, pendingLength);
    }

    static LatencyHistogram read(BinReader in) {
        LatencyHistogram h = new LatencyHistogram();
        h.count = in.uvar();
        if (h.count == 0) {
            return h;
        }
        h.sumNanos = in.uvar();
        h.minNanos = in.uvar();
        h.maxNanos = in.uvar();
        h.encoded = in.bytes();
        h.pendingPairs = in.uvarInt();
        byte[] pending = in.bytes();
        h.pending = pending == null ? EMPTY : pending;
        h.pendingLength = h.pending.length;
        return h;
    }
}
