package io.lem.api.event;

import java.util.List;

/**
 * A runner process started.
 *
 * @param hostId       stable id of the host (e.g. machine id), used to count host-level meters once
 * @param pid          operating-system process id
 * @param localRank    rank of this process on its host (host-level meters run only on local rank 0)
 * @param numProcesses world size the process was started with
 * @param devices      devices this process runs on or measures
 * @param cpuModel     CPU model name
 * @param plugins      active plugins with versions
 */
public record ProcessStarted(Envelope envelope, String hostId, long pid, int localRank, int numProcesses,
                             List<DeviceInfo> devices, String cpuModel, List<PluginInfo> plugins) implements LemEvent {
    public ProcessStarted {
        devices = devices == null ? List.of() : List.copyOf(devices);
        plugins = plugins == null ? List.of() : List.copyOf(plugins);
    }
}
