package io.lem.plugins.cpumodel;

import java.util.ArrayList;
import java.util.List;

/**
 * The modelled full-load power of one CPU package.
 *
 * @param deviceKey {@code cpu:<host>:package-<n>}: the same device RAPL measures, so a reader (and the monitor's
 *                  first-source-wins rule) sees one device whose method says {@code model}
 * @param watts     at 100% utilization of the threads this host sees
 * @param tdp       the figure it came from
 */
record PackageModel(String deviceKey, double watts, Tdp tdp) {

    /**
     * One model per package. In a virtual machine a table TDP is shared: the guest gets
     * {@code visible threads / spec-sheet threads} of its socket (a 4-vCPU guest on a 192-thread EPYC 9654 gets
     * 4/192 of 360 W), because the host socket's other threads run other guests.
     */
    static List<PackageModel> of(CpuTopology topology, CpuModelSettings settings, TdpTable table, String host) {
        List<PackageModel> models = new ArrayList<>();
        for (int p = 0; p < topology.packages(); p++) {
            int visible = topology.threads(p);
            Tdp tdp = settings.tdpWatts().isPresent()
                    ? new Tdp(settings.tdpWatts().getAsDouble(), 0, Tdp.Match.SETTING,
                    CpuModelSettings.TDP_WATTS + " = " + settings.tdpWatts().getAsDouble() + " W")
                    : table.lookup(topology.modelName(), visible, settings.wattsPerThread());
            double watts = tdp.watts();
            if (topology.virtualMachine() && tdp.match() != Tdp.Match.SETTING && tdp.threads() > visible) {
                watts = tdp.watts() * visible / tdp.threads();
            }
            models.add(new PackageModel("cpu:" + host + ":package-" + topology.packageNumbers().get(p), watts, tdp));
        }
        return models;
    }
}
