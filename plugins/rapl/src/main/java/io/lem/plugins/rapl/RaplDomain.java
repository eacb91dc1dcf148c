package io.lem.plugins.rapl;

import java.nio.file.Path;

/**
 * One powercap zone that lem measures: a CPU package (or die) or a DRAM domain.
 *
 * @param deviceKey        {@code cpu:<host>:package-<n>} or {@code dram:<host>:<n>}
 * @param kind             {@code cpu} or {@code dram}
 * @param zoneId           sysfs zone directory name, e.g. {@code intel-rapl:0:1}
 * @param zoneName         the zone's {@code name} attribute, e.g. {@code package-0}, {@code dram}
 * @param energyFile       its {@code energy_uj}
 * @param maxEnergyRangeUj the counter wraps to 0 after this value; 0 when unknown
 */
record RaplDomain(String deviceKey, String kind, String zoneId, String zoneName, Path energyFile,
                  long maxEnergyRangeUj) {
}
