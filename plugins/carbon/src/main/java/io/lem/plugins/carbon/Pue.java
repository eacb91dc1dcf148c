package io.lem.plugins.carbon;

/**
 * Power usage effectiveness: facility energy divided by IT energy, so never below 1.0. Emissions multiply measured
 * (IT) energy by it; 1.0 means "count only what the devices drew".
 */
public final class Pue {

    /** No facility overhead: the default when a config gives none. */
    public static final double NONE = 1.0;

    private Pue() {
    }

    /** {@code pue} itself when it is a finite number >= 1.0; otherwise an {@link IllegalArgumentException} saying why. */
    public static double require(double pue) {
        if (!Double.isFinite(pue) || pue < 1.0) {
            throw new IllegalArgumentException("PUE must be a number >= 1.0 (facility energy / IT energy), was " + pue);
        }
        return pue;
    }

    /** Parses and validates a PUE written in a config or on the command line, e.g. {@code 1.58}. */
    public static double parse(String text) {
        try {
            return require(Double.parseDouble(text.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PUE must be a number >= 1.0 (facility energy / IT energy), was '"
                    + text + "'", e);
        }
    }
}
