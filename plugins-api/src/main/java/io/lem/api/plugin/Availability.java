package io.lem.api.plugin;

import java.util.Objects;

/**
 * Result of {@link LemPlugin#probe}: available, or not with a reason that says how to fix it, e.g.
 * {@code "cannot read /sys/class/powercap/intel-rapl:0/energy_uj: permission denied; run: sudo chmod a+r ..."}.
 */
public record Availability(boolean available, String reason) {

    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (!available && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable plugin must say why");
        }
    }

    public static Availability yes() {
        return new Availability(true, "");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
