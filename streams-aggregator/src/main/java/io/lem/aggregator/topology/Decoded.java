package io.lem.aggregator.topology;

import io.lem.api.event.DecodeResult;

/** The outcome of reading one record of the events topic: a decoded event, or the reason it is a dead letter. */
final class Decoded {
    private final DecodeResult result;
    private final String problem;
    private final byte[] raw;

    private Decoded(DecodeResult result, String problem, byte[] raw) {
        this.result = result;
        this.problem = problem;
        this.raw = raw;
    }

    static Decoded ok(DecodeResult result) {
        return new Decoded(result, null, null);
    }

    static Decoded failed(String problem, byte[] raw) {
        return new Decoded(null, problem, raw);
    }

    boolean isFailed() {
        return problem != null;
    }

    DecodeResult result() {
        return result;
    }

    String problem() {
        return problem;
    }

    /** The original record value, for the dead-letter topic. */
    byte[] raw() {
        return raw;
    }
}
