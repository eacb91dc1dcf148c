package io.lem.plugins.rapl;

import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/** CPU package and DRAM energy from the Linux powercap RAPL counters ({@code energy_uj}). */
public final class RaplProvider implements EnergySourceProvider {

    static final String NAME = "rapl";
    static final String VERSION = "0.1.0";

    private final SysfsReader reader;
    private final LongSupplier monoClock;

    public RaplProvider() {
        this(SysfsReader.FILES, System::nanoTime);
    }

    /** For tests: a reader that can deny access even to root, and a clock. */
    RaplProvider(SysfsReader reader, LongSupplier monoClock) {
        this.reader = reader;
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
        return 100;
    }

    @Override
    public String description() {
        return "CPU package and DRAM energy counters (Intel/AMD RAPL via Linux powercap)";
    }

    @Override
    public Scope scope() {
        return Scope.HOST;
    }

    @Override
    public Availability probe(PluginContext context) {
        try {
            domains(context);
            return Availability.yes();
        } catch (PluginException e) {
            return Availability.no(e.getMessage());
        } catch (RuntimeException e) {
            return Availability.no("rapl probe failed: " + e);
        }
    }

    @Override
    public EnergySource open(PluginContext context) throws PluginException {
        RaplSettings settings = settings(context);
        List<RaplDomain> domains = domains(context);
        // the sampling path keeps each counter file open; a test's own reader is used as it is
        SysfsReader counters = reader == SysfsReader.FILES ? new OpenCounterFiles() : reader;
        RaplSource source;
        try {
            source = new RaplSource(NAME, domains, counters, monoClock, settings.maxPlausibleWatts());
        } catch (PluginException | RuntimeException e) {
            if (counters instanceof OpenCounterFiles files) {
                files.close();
            }
            throw e;
        }
        source.startGuard(RaplSource.guardInterval(domains, settings.maxPlausibleWatts()));
        return source;
    }

    /** The domains to measure, each checked readable; the exception says what is wrong and how to fix it. */
    private List<RaplDomain> domains(PluginContext context) throws PluginException {
        RaplSettings settings = settings(context);
        Path root = settings.root();
        List<RaplDomain> domains;
        try {
            domains = PowercapTree.scan(root, context.host(), reader);
        } catch (IOException e) {
            throw new PluginException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (domains.isEmpty()) {
            throw new PluginException("no RAPL domains under " + root + ": no intel-rapl/amd-rapl package zone with an "
                    + "energy_uj file. RAPL needs a bare-metal Intel (Sandy Bridge+) or AMD (Zen, Linux 5.8+) CPU, "
                    + "the intel_rapl_msr module loaded, and /sys visible inside containers; virtual machines "
                    + "usually have none (the cpu-model plugin estimates instead)");
        }
        for (RaplDomain d : domains) {
            try {
                reader.readLong(d.energyFile());
            } catch (AccessDeniedException e) {
                throw new PluginException(permissionDenied(root, d), e);
            } catch (IOException e) {
                throw new PluginException("cannot read " + d.energyFile() + ": " + e.getMessage(), e);
            }
        }
        return domains;
    }

    private static RaplSettings settings(PluginContext context) throws PluginException {
        try {
            return RaplSettings.from(context);
        } catch (IllegalArgumentException e) {
            throw new PluginException(e.getMessage(), e);
        }
    }

    /** Since the fix for CVE-2020-8694 (Platypus, Linux 5.10 and stable backports) energy_uj is mode 0400 root. */
    static String permissionDenied(Path root, RaplDomain domain) {
        String type = domain.zoneId().substring(0, domain.zoneId().indexOf(':'));
        return "cannot read " + domain.energyFile() + ": permission denied (energy_uj is readable by root only on "
                + "kernels with the CVE-2020-8694 fix). Grant read access until the next reboot with: sudo chmod a+r "
                + root + "/" + type + ":*/energy_uj " + root + "/" + type + ":*:*/energy_uj ; or for good with a udev "
                + "rule, e.g. /etc/udev/rules.d/99-lem-rapl.rules containing: SUBSYSTEM==\"powercap\", "
                + "ACTION==\"add\", RUN+=\"/bin/chmod a+r /sys%p/energy_uj\" ; or run lem as root";
    }
}
