package io.lem.plugins.example;

import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;

import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The smallest complete lem energy plugin: one device, {@code const:<host>:0}, drawing a constant power set by
 * {@code constant-power.watts} (default {@value #DEFAULT_WATTS} W). Its energy is watts × time since {@link #open},
 * reported with method {@code model}.
 *
 * <p>Registered in {@code META-INF/services/io.lem.api.energy.EnergySourceProvider}. lem instantiates it with the
 * public no-argument constructor, which must do no work; everything that can fail belongs in {@link #probe} and
 * {@link #open}.
 */
public final class ConstantPowerProvider implements EnergySourceProvider {

    /** The plugin's name: what users write in {@code energy.plugins} or {@code --energy-plugins}. */
    public static final String NAME = "constant-power";
    public static final String VERSION = "0.1.0";
    /** Settings are keyed by the plugin name: {@code constant-power.watts}. */
    public static final String WATTS_SETTING = NAME + ".watts";
    public static final double DEFAULT_WATTS = 42.0;

    private final LongSupplier monoClock;

    /** What {@link java.util.ServiceLoader} calls. */
    public ConstantPowerProvider() {
        this(System::nanoTime);
    }

    /** For tests: a monotonic clock in nanoseconds. */
    ConstantPowerProvider(LongSupplier monoClock) {
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

    // kind() is ENERGY by default for every EnergySourceProvider.

    /** Built-ins use 0..100; when two plugins measure the same device key, the higher rank is read first. */
    @Override
    public int rank() {
        return 0;
    }

    @Override
    public String description() {
        return "example: a device drawing a constant power (" + WATTS_SETTING + ", default " + DEFAULT_WATTS + " W)";
    }

    /** PROCESS: every runner process runs it; a HOST source would only run on local rank 0 of each host. */
    @Override
    public Scope scope() {
        return Scope.PROCESS;
    }

    /** Replaces no other source. A model such as cpu-model returns "rapl" here, and is dropped when rapl works. */
    @Override
    public String fallbackFor() {
        return null;
    }

    /** Quick, never throws: an unavailable plugin says why and how to fix it. */
    @Override
    public Availability probe(PluginContext context) {
        try {
            watts(context);
            return Availability.yes();
        } catch (PluginException e) {
            return Availability.no(e.getMessage());
        }
    }

    @Override
    public EnergySource open(PluginContext context) throws PluginException {
        return new ConstantPowerSource(NAME, "const:" + context.host() + ":0", watts(context), monoClock);
    }

    static double watts(PluginContext context) throws PluginException {
        Optional<String> text = context.setting(WATTS_SETTING);
        if (text.isEmpty()) {
            return DEFAULT_WATTS;
        }
        double watts;
        try {
            watts = Double.parseDouble(text.get().trim());
        } catch (NumberFormatException e) {
            throw new PluginException(WATTS_SETTING + " must be a number of watts, was '" + text.get()
                    + "'; set it to e.g. 42.0 or remove it for the default " + DEFAULT_WATTS);
        }
        if (!(watts >= 0) || Double.isInfinite(watts)) {
            throw new PluginException(WATTS_SETTING + " must be finite and >= 0, was " + text.get());
        }
        return watts;
    }
}
