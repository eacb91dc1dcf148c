package io.lem.api.energy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Named, possibly overlapping measurement windows over a set of sources, in the style of Zeus:
 * {@code begin("batch-3")} … {@code end("batch-3")} returns a {@link Measurement}. Thread-safe.
 *
 * <p>When two sources report the same device key, the first source in the list wins: callers order sources by rank.
 */
public final class EnergyMonitor {

    private record Reading(String source, EnergyCounter counter, long updatePeriodNanos) {
    }

    private record Start(long monoNanos, Map<String, Reading> readings) {
    }

    private final List<EnergySource> sources;
    private final LongSupplier monoClock;
    private final Map<String, Start> open = new HashMap<>();

    public EnergyMonitor(List<EnergySource> sources) {
        this(sources, System::nanoTime);
    }

    public EnergyMonitor(List<EnergySource> sources, LongSupplier monoClock) {
        this.sources = List.copyOf(sources);
        this.monoClock = monoClock;
    }

    public List<EnergySource> sources() {
        return sources;
    }

    /** Opens a window; names must be unique among open windows. */
    public synchronized void begin(String name) {
        if (open.containsKey(name)) {
            throw new IllegalStateException("measurement window '" + name + "' is already open");
        }
        open.put(name, new Start(monoClock.getAsLong(), read()));
    }

    /** Closes a window and returns what each device used in it. */
    public synchronized Measurement end(String name) {
        Start start = open.remove(name);
        if (start == null) {
            throw new IllegalStateException("no open measurement window '" + name + "'; open: " + open.keySet());
        }
        Map<String, Reading> endReadings = read();
        long duration = monoClock.getAsLong() - start.monoNanos();
        Map<String, DomainEnergy> domains = new LinkedHashMap<>();
        endReadings.forEach((key, end) -> {
            Reading begin = start.readings().get(key);
            if (begin == null || !begin.source().equals(end.source())) {
                return; // not measurable over the whole window: absent, never 0
            }
            double joules = Math.max(0, end.counter().energyJoules() - begin.counter().energyJoules());
            domains.put(key, new DomainEnergy(key, end.source(), end.counter().method(), joules,
                    windowUncertainty(end.counter().method(), begin.counter().uncertaintyJoules(),
                            end.counter().uncertaintyJoules()),
                    duration < end.updatePeriodNanos()));
        });
        return new Measurement(name, start.monoNanos(), duration, domains);
    }

    /** Names of the open windows. */
    public synchronized List<String> openWindows() {
        return new ArrayList<>(open.keySet());
    }

    private Map<String, Reading> read() {
        Map<String, Reading> readings = new LinkedHashMap<>();
        for (EnergySource source : sources) {
            long period = source.updatePeriod().toNanos();
            source.readEnergy().forEach((key, counter) ->
                    readings.putIfAbsent(key, new Reading(source.pluginName(), counter, period)));
        }
        return readings;
    }

    /**
     * A counter's error is a read resolution, independent at each edge: add in quadrature. Sampled and modelled
     * energy accumulate their error over time, so the window's share is what accrued between the edges.
     */
    private static Double windowUncertainty(EnergyMethod method, Double begin, Double end) {
        if (begin == null || end == null) {
            return null;
        }
        return method == EnergyMethod.COUNTER ? Math.sqrt(begin * begin + end * end) : Math.max(0, end - begin);
    }
}
