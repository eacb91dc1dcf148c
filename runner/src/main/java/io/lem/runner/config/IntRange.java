package io.lem.runner.config;

/** Allowed values of an integer field, inclusive, and how to say so in a message. */
record IntRange(long min, long max) {

    static IntRange any() {
        return new IntRange(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    static IntRange atLeast(int min) {
        return new IntRange(min, Integer.MAX_VALUE);
    }

    boolean contains(long value) {
        return value >= min && value <= max;
    }

    /** ">= 1", "in [0, 10]", or "" when every int is allowed. */
    String describe() {
        boolean bounded = max < Integer.MAX_VALUE;
        if (min <= Integer.MIN_VALUE) {
            return bounded ? "<= " + max : "";
        }
        return bounded ? "in [" + min + ", " + max + "]" : ">= " + min;
    }
}
