package io.lem.plugins.rapl;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.event.DeviceInfo;
import io.lem.api.plugin.PluginException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Cumulative RAPL energy per package and DRAM domain since open.
 *
 * <p>Wrap-around: a counter that went down wrapped once ({@link WrapAroundCounter}). Two wraps between reads would be
 * invisible, so a daemon thread ("wrap guard") reads every counter at least every
 * {@code min(max_energy_range_uj / max plausible watts) / 2}, clamped to [100 ms, 60 s]. With Intel's usual
 * 262 kJ range or AMD's 65 kJ and the default 1000 W bound that is every 32–60 s: one small file read per domain,
 * far below 0.01% of a core. Every {@link #readEnergy()} advances the counters too.
 *
 * <p>Update period: the hardware refreshes the energy status registers about every millisecond (Intel SDM vol. 3B,
 * RAPL interfaces; AMD's follow them), so windows shorter than 1 ms are flagged by the monitor.
 */
final class RaplSource implements EnergySource {

    static final Duration UPDATE_PERIOD = Duration.ofMillis(1);
    private static final Duration MIN_GUARD = Duration.ofMillis(100);
    private static final Duration MAX_GUARD = Duration.ofSeconds(60);

    private record PowerMark(double joules, long nanos) {
    }

    private final String pluginName;
    private final List<RaplDomain> domains;
    private final List<DeviceInfo> devices;
    private final SysfsReader reader;
    private final LongSupplier monoClock;
    private final double maxPlausibleWatts;
    private final Map<String, Long> lastReadNanos = new LinkedHashMap<>();
    private final Map<String, WrapAroundCounter> counters = new LinkedHashMap<>();
    private final Map<String, PowerMark> powerMarks = new LinkedHashMap<>();
    private ScheduledExecutorService guard;
    private boolean closed;

    /** Reads every domain once as the zero point; fails when one cannot be read. */
    RaplSource(String pluginName, List<RaplDomain> domains, SysfsReader reader, LongSupplier monoClock,
               double maxPlausibleWatts) throws PluginException {
        this.pluginName = pluginName;
        this.domains = List.copyOf(domains);
        this.reader = reader;
        this.monoClock = monoClock;
        this.maxPlausibleWatts = maxPlausibleWatts;
        List<DeviceInfo> infos = new ArrayList<>();
        long now = monoClock.getAsLong();
        for (RaplDomain d : this.domains) {
            try {
                counters.put(d.deviceKey(), new WrapAroundCounter(d.maxEnergyRangeUj(), reader.readLong(d.energyFile())));
            } catch (IOException e) {
                throw new PluginException("cannot read " + d.energyFile() + ": " + e.getMessage(), e);
            }
            powerMarks.put(d.deviceKey(), new PowerMark(0, now));
            lastReadNanos.put(d.deviceKey(), now);
            infos.add(new DeviceInfo(d.deviceKey(), d.kind(), "RAPL " + d.zoneName() + " (" + d.zoneId() + ")", null,
                    null));
        }
        this.devices = List.copyOf(infos);
    }

    /** The wrap guard's period for these domains: see the class comment. */
    static Duration guardInterval(List<RaplDomain> domains, double maxPlausibleWatts) {
        double seconds = MAX_GUARD.toSeconds();
        for (RaplDomain d : domains) {
            if (d.maxEnergyRangeUj() > 0) {
                seconds = Math.min(seconds, d.maxEnergyRangeUj() / 1e6 / maxPlausibleWatts / 2);
            }
        }
        Duration interval = Duration.ofNanos((long) (seconds * 1e9));
        return interval.compareTo(MIN_GUARD) < 0 ? MIN_GUARD : interval;
    }

    /** Starts the wrap guard on a daemon thread. */
    synchronized void startGuard(Duration interval) {
        if (closed || guard != null) {
            return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lem-rapl-wrap-guard");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        long nanos = interval.toNanos();
        executor.scheduleAtFixedRate(this::poll, nanos, nanos, TimeUnit.NANOSECONDS);
        guard = executor;
    }

    /** One guard pass: advances every counter. */
    void poll() {
        readEnergy();
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public List<DeviceInfo> devices() {
        return devices;
    }

    /**
     * Reads and advances every counter. Synchronized so that a read and its advance are one step: two readers
     * interleaving could otherwise feed a counter an older value after a newer one, which looks like a wrap.
     */
    @Override
    public synchronized Map<String, EnergyCounter> readEnergy() {
        Map<String, EnergyCounter> result = new LinkedHashMap<>();
        for (RaplDomain d : domains) {
            long raw;
            try {
                raw = reader.readLong(d.energyFile());
            } catch (IOException e) {
                continue; // absent, never 0
            }
            long now = monoClock.getAsLong();
            long uj = counters.get(d.deviceKey()).advance(raw, plausibleUj(now - lastReadNanos.put(d.deviceKey(), now)));
            result.put(d.deviceKey(), new EnergyCounter(d.deviceKey(), EnergyMethod.COUNTER, uj / 1e6, null));
        }
        return result;
    }

    /** Most a domain can use in {@code nanos}, with 1 s of slack: it only has to tell a wrap from a reset. */
    private long plausibleUj(long nanos) {
        return (long) Math.min(Long.MAX_VALUE, maxPlausibleWatts * (nanos / 1e9 + 1) * 1e6);
    }

    @Override
    public Duration updatePeriod() {
        return UPDATE_PERIOD;
    }

    /** Mean power per domain since the previous call (since open for the first). */
    @Override
    public synchronized Map<String, Double> readPowerWatts() {
        long now = monoClock.getAsLong();
        Map<String, Double> watts = new LinkedHashMap<>();
        readEnergy().forEach((key, counter) -> {
            PowerMark mark = powerMarks.get(key);
            long dt = now - mark.nanos();
            if (dt > 0) {
                watts.put(key, (counter.energyJoules() - mark.joules()) / (dt / 1e9));
                powerMarks.put(key, new PowerMark(counter.energyJoules(), now));
            }
        });
        return watts;
    }

    /** Wraps seen so far on one device, for tests and diagnostics. */
    synchronized long wraps(String deviceKey) {
        return counters.get(deviceKey).wraps();
    }

    /** True once close() has stopped the guard thread (or it never ran). */
    synchronized boolean guardStopped() {
        return guard == null || guard.isTerminated();
    }

    @Override
    public void close() {
        ScheduledExecutorService toStop;
        synchronized (this) {
            closed = true;
            toStop = guard;
        }
        if (toStop != null) {
            toStop.shutdownNow();
            try {
                toStop.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reader instanceof OpenCounterFiles files) {
            files.close();
        }
    }
}
