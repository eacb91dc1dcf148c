package io.lem.runner.config;

/** Allowed values of a decimal field, with open or closed ends, and how to say so in a message. */
record DoubleRange(double min, boolean minInclusive, double max, boolean maxInclusive) {

    static DoubleRange atLeast(double min) {
        return new DoubleRange(min, true, Double.POSITIVE_INFINITY, false);
    }

    /** (min, max] */
    static DoubleRange above(double min, double maxInclusive) {
        return new DoubleRange(min, false, maxInclusive, true);
    }

    boolean contains(double value) {
        if (!Double.isFinite(value)) {
            return false; // .nan and .inf are never meaningful here
        }
        boolean aboveMin = minInclusive ? value >= min : value > min;
        boolean belowMax = maxInclusive ? value <= max : value < max;
        return aboveMin && belowMax;
    }

    /** ">= 1" or "in (0, 1]". */
    String describe() {
        if (max == Double.POSITIVE_INFINITY) {
            return (minInclusive ? ">= " : "> ") + format(min);
        }
        return "in " + (minInclusive ? "[" : "(") + format(min) + ", " + format(max) + (maxInclusive ? "]" : ")");
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
