package io.lem.api.energy;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The result of one measurement window. A device that could not be measured is absent from {@code domains}.
 *
 * @param name           window name
 * @param startMonoNanos {@code System.nanoTime()} at begin
 * @param durationNanos  window length
 * @param domains        energy per device key
 */
public record Measurement(String name, long startMonoNanos, long durationNanos, Map<String, DomainEnergy> domains) {

    public Measurement {
        domains = Map.copyOf(domains);
    }

    public OptionalDouble energyJoules(String deviceKey) {
        DomainEnergy domain = domains.get(deviceKey);
        return domain == null ? OptionalDouble.empty() : OptionalDouble.of(domain.energyJoules());
    }

    /** Sum over the devices that were measured; empty when none was. */
    public OptionalDouble totalEnergyJoules() {
        return domains.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(domains.values().stream().mapToDouble(DomainEnergy::energyJoules).sum());
    }
}
