package io.lem.plugins.rapl;

/**
 * Turns successive raw {@code energy_uj} values, which wrap to 0 after {@code max_energy_range_uj}, into microjoules
 * since the first value. A value lower than the previous one is taken as exactly one wrap; the caller must read
 * often enough that two wraps cannot happen between reads (see {@link RaplSource}). A drop whose wrapped increment
 * is more than the domain could have used since the last read is a reset (driver reload, resume), not a wrap: only
 * the new value is counted, rather than inventing up to a whole range (262 kJ on Intel). Not thread-safe: the
 * source serializes reads.
 */
final class WrapAroundCounter {

    private final long maxRangeUj;
    private long last;
    private long totalUj;
    private long wraps;
    private long resets;

    WrapAroundCounter(long maxRangeUj, long firstRawUj) {
        this.maxRangeUj = maxRangeUj;
        this.last = firstRawUj;
    }

    /**
     * Records a raw reading and returns the cumulative microjoules since the first one.
     *
     * @param plausibleUj the most energy the domain can have used since the previous reading
     */
    long advance(long rawUj, long plausibleUj) {
        if (rawUj >= last) {
            totalUj += rawUj - last;
        } else if (maxRangeUj > 0 && last <= maxRangeUj && (maxRangeUj - last) + rawUj <= plausibleUj) {
            totalUj += (maxRangeUj - last) + rawUj;
            wraps++;
        } else {
            // Reset, or range unknown: count from 0 and lose the unseen part.
            totalUj += rawUj;
            resets++;
        }
        last = rawUj;
        return totalUj;
    }

    long totalUj() {
        return totalUj;
    }

    long wraps() {
        return wraps;
    }

    long resets() {
        return resets;
    }
}
