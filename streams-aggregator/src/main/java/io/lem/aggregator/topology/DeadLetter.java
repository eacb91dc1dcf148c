package io.lem.aggregator.topology;

/**
 * A record that cannot be aggregated, on its way to the dead-letter topic: the original value (the reason and the
 * source travel in the record's headers).
 */
record DeadLetter(byte[] raw) {
}
