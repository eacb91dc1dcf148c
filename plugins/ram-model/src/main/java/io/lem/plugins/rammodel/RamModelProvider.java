package io.lem.plugins.rammodel;

import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import oshi.SystemInfo;

import java.util.function.LongSupplier;

/** RAM energy modelled as watts per GiB of installed memory (OSHI) × time. */
public final class RamModelProvider implements EnergySourceProvider {

    static final String NAME = "ram-model";
    static final String VERSION = "0.1.0";

    private final LongSupplier totalMemoryBytes;
    private final LongSupplier monoClock;

    public RamModelProvider() {
        this(() -> new SystemInfo().getHardware().getMemory().getTotal(), System::nanoTime);
    }

    /** For tests: installed memory and a clock. */
    RamModelProvider(LongSupplier totalMemoryBytes, LongSupplier monoClock) {
        this.totalMemoryBytes = totalMemoryBytes;
        this.monoClock = monoClock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String description() {
        return "RAM energy modelled as watts per GB of installed memory (3 W per 8 GB by default)";
    }

    @Override
    public Scope scope() {
        return Scope.HOST;
    }

    @Override
    public Availability probe(PluginContext context) {
        try {
            model(context);
            return Availability.yes();
        } catch (PluginException e) {
            return Availability.no(e.getMessage());
        }
    }

    @Override
    public EnergySource open(PluginContext context) throws PluginException {
        return new RamModelSource(NAME, context.host(), model(context), monoClock);
    }

    private RamPowerModel model(PluginContext context) throws PluginException {
        long total;
        try {
            total = totalMemoryBytes.getAsLong();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginException("OSHI cannot read this system's memory size: " + e, e);
        }
        if (total <= 0) {
            throw new PluginException("OSHI reports no installed memory (" + total + " bytes)");
        }
        try {
            return RamPowerModel.of(total, context);
        } catch (IllegalArgumentException e) {
            throw new PluginException(e.getMessage(), e);
        }
    }
}
