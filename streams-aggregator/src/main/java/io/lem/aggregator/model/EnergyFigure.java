package io.lem.aggregator.model;

/**
 * The energy one device used over one measurement window, as reported by one process: the latest (longest-window)
 * {@code EnergyReading} of that device, window and method. Readings are cumulative since the window began, so a later
 * reading supersedes an earlier one rather than adding to it.
 *
 * @param deviceKey           e.g. {@code gpu:<uuid>}
 * @param method              {@code counter}, {@code sampled-power}, {@code model} (or a plugin's own)
 * @param energyJoules        energy since the window began
 * @param windowDurationNanos window length of that reading
 * @param uncertaintyJoules   absolute uncertainty, null when unknown
 * @param source              the plugin that measured it
 * @param seq                 seq of the reading (ties between equal windows go to the higher seq)
 */
public record EnergyFigure(String deviceKey, String method, double energyJoules, long windowDurationNanos,
                           Double uncertaintyJoules, String source, long seq) {

    /** Whether this reading supersedes {@code other} (same device and method): longer window, then higher seq. */
    boolean supersedes(EnergyFigure other) {
        if (windowDurationNanos != other.windowDurationNanos) {
            return windowDurationNanos > other.windowDurationNanos;
        }
        return seq > other.seq;
    }

    /** Mean power over the window in watts; NaN for an empty window. */
    public double meanPowerWatts() {
        return windowDurationNanos <= 0 ? Double.NaN : energyJoules / (windowDurationNanos / 1e9);
    }

    /** Trust order of methods: direct counters first, then integrated samples, then models. */
    public static int methodRank(String method) {
        if (method == null) {
            return 9;
        }
        switch (method) {
            case "counter":
                return 0;
            case "sampled-power":
                return 1;
            case "model":
                return 2;
            default:
                return 3;
        }
    }

    void write(BinWriter w) {
        w.str(deviceKey);
        w.str(method);
        w.f64(energyJoules);
        w.svar(windowDurationNanos);
        w.optF64(uncertaintyJoules);
        w.str(source);
        w.uvar(seq);
    }

    static EnergyFigure read(BinReader in) {
        return new EnergyFigure(in.str(), in.str(), in.f64(), in.svar(), in.optF64(), in.str(), in.uvar());
    }
}
