package io.lem.api.energy;

/** How an energy figure was obtained, from most to least trustworthy. */
public enum EnergyMethod {
    /** A hardware energy counter (NVML total energy, RAPL). */
    COUNTER("counter"),
    /** Instantaneous power sampled at an interval and integrated (trapezoid rule). */
    SAMPLED_POWER("sampled-power"),
    /** A model: e.g. TDP × utilization, watts per GB. */
    MODEL("model");

    private final String label;

    EnergyMethod(String label) {
        this.label = label;
    }

    /** The name used in events and results. */
    public String label() {
        return label;
    }

    public static EnergyMethod fromLabel(String label) {
        for (EnergyMethod m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown energy method '" + label + "'; known: counter, sampled-power, model");
    }
}
