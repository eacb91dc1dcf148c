package io.lem.api.energy;

/**
 * Energy of one device over one window.
 *
 * @param deviceKey               device key
 * @param source                  plugin that measured it
 * @param method                  how
 * @param energyJoules            joules used in the window
 * @param uncertaintyJoules       absolute uncertainty, null when unknown
 * @param shorterThanUpdatePeriod the window was shorter than the source's update period: treat with suspicion
 */
public record DomainEnergy(String deviceKey, String source, EnergyMethod method, double energyJoules,
                           Double uncertaintyJoules, boolean shorterThanUpdatePeriod) {
}
