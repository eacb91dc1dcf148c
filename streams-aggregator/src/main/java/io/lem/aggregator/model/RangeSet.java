package io.lem.aggregator.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of non-negative longs held as sorted, disjoint, non-adjacent inclusive ranges: the sequence numbers a process
 * has delivered, or the batch indices known to be warm-up or measured. Memory and serialized size grow with the number
 * of holes, not of members; in-order arrival only extends the last range (O(1)). Order of insertion does not change the
 * resulting set. Not thread-safe.
 */
public final class RangeSet {
    // [start0, end0, start1, end1, ...], ranges sorted and separated by at least one missing value
    private long[] r;
    private int n; // number of ranges
    private long size;

    public RangeSet() {
        r = new long[4];
    }

    /** Adds {@code v}; false when it was already present. */
    public boolean add(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("value must be >= 0, was " + v);
        }
        if (n > 0) {
            long lastEnd = r[2 * n - 1];
            if (v == lastEnd + 1) { // the common case: in-order arrival
                r[2 * n - 1] = v;
                size++;
                return true;
            }
            if (v > lastEnd + 1) {
                append(n, v, v);
                size++;
                return true;
            }
        }
        int i = floorIndex(v); // last range with start <= v, or -1
        if (i >= 0 && r[2 * i + 1] >= v) {
            return false;
        }
        boolean joinsLeft = i >= 0 && r[2 * i + 1] == v - 1;
        boolean joinsRight = i + 1 < n && r[2 * (i + 1)] == v + 1;
        if (joinsLeft && joinsRight) {
            r[2 * i + 1] = r[2 * (i + 1) + 1];
            System.arraycopy(r, 2 * (i + 2), r, 2 * (i + 1), 2 * (n - i - 2));
            n--;
        } else if (joinsLeft) {
            r[2 * i + 1] = v;
        } else if (joinsRight) {
            r[2 * (i + 1)] = v;
        } else {
            append(i + 1, v, v);
        }
        size++;
        return true;
    }

    private void append(int at, long start, long end) {
        if (2 * (n + 1) > r.length) {
            r = Arrays.copyOf(r, Math.max(4, r.length * 2));
        }
        System.arraycopy(r, 2 * at, r, 2 * (at + 1), 2 * (n - at));
        r[2 * at] = start;
        r[2 * at + 1] = end;
        n++;
    }

    private int floorIndex(long v) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (r[2 * mid] <= v) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    public boolean contains(long v) {
        int i = floorIndex(v);
        return i >= 0 && r[2 * i + 1] >= v;
    }

    /** Number of distinct members. */
    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** Highest member, -1 when empty. */
    public long highest() {
        return n == 0 ? -1 : r[2 * n - 1];
    }

    /** Number of ranges (1 for a gap-free set). */
    public int rangeCount() {
        return n;
    }

    /** True when the set is exactly {@code 0..highest()} (or empty). */
    public boolean isContiguousFromZero() {
        return n == 0 || (n == 1 && r[0] == 0);
    }

    /**
     * The values of {@code 0..upTo} that are absent, as inclusive {@code [first, last]} pairs; {@code upTo} below zero
     * means "up to the highest member".
     */
    public List<long[]> missing(long upTo) {
        long limit = upTo < 0 ? highest() : upTo;
        List<long[]> holes = new ArrayList<>();
        long expected = 0;
        for (int i = 0; i < n && expected <= limit; i++) {
            long start = r[2 * i];
            if (start > expected) {
                holes.add(new long[]{expected, Math.min(start - 1, limit)});
            }
            expected = r[2 * i + 1] + 1;
        }
        if (expected <= limit) {
            holes.add(new long[]{expected, limit});
        }
        return holes;
    }

    /** Count of values in {@code 0..upTo} that are absent. */
    public long missingCount(long upTo) {
        long count = 0;
        for (long[] h : missing(upTo)) {
            count += h[1] - h[0] + 1;
        }
        return count;
    }

    void write(BinWriter w) {
        w.uvar(n);
        long prev = 0;
        for (int i = 0; i < 2 * n; i++) {
            w.uvar(r[i] - prev); // ranges are sorted: deltas are small and non-negative
            prev = r[i];
        }
    }

    static RangeSet read(BinReader in) {
        RangeSet s = new RangeSet();
        int count = in.uvarInt();
        s.r = new long[Math.max(4, 2 * count)];
        long prev = 0;
        for (int i = 0; i < 2 * count; i++) {
            prev += in.uvar();
            s.r[i] = prev;
        }
        s.n = count;
        long size = 0;
        for (int i = 0; i < count; i++) {
            size += s.r[2 * i + 1] - s.r[2 * i] + 1;
        }
        s.size = size;
        return s;
    }

    /** Renders the ranges like {@code 0..41, 44, 46..50}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(rangeText(r[2 * i], r[2 * i + 1]));
        }
        return b.toString();
    }

    static String rangeText(long first, long last) {
        return first == last ? Long.toString(first) : first + ".." + last;
    }
}
