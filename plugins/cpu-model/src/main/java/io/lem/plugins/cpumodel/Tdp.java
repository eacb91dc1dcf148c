package io.lem.plugins.cpumodel;

/**
 * The power one CPU package is modelled to draw at 100% utilization, and where that figure came from.
 *
 * @param watts   per package
 * @param threads hardware threads per package on the spec sheet; 0 when unknown
 * @param match   how it was found
 * @param detail  what a reader needs to judge it, e.g. {@code "table: EPYC 7742 (amd-spec)"}
 */
record Tdp(double watts, int threads, Match match, String detail) {

    /** How a TDP was found, from most to least trustworthy. */
    enum Match {
        /** {@code cpu-model.tdp-watts}: the user knows better. */
        SETTING(0.5),
        /** The model name equals a table entry. */
        EXACT(0.5),
        /** A table entry equals the model name once vendor decorations are removed. */
        NORMALIZED(0.5),
        /** Not in the table: watts per hardware thread × threads. */
        FALLBACK(1.0);

        private final double relativeUncertainty;

        Match(double relativeUncertainty) {
            this.relativeUncertainty = relativeUncertainty;
        }

        /**
         * A conventional band, not a statistical bound: TDP is a thermal design figure, real package power runs
         * above it under turbo and the model says 0 W at idle where a package draws a fraction of it; ±50% for a
         * known TDP, ±100% for the per-thread guess.
         */
        double relativeUncertainty() {
            return relativeUncertainty;
        }
    }
}
