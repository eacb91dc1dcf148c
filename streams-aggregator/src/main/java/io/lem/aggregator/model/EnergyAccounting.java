package io.lem.aggregator.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Energy of a set of processes with every device key counted once.
 *
 * <ul>
 *   <li>Per device key, one figure is counted: the most trusted method ({@code counter} > {@code sampled-power} >
 *       {@code model}), then the longest window, then the lowest process index. Other methods' figures are kept as
 *       alternatives; a key reported by several processes is listed in {@link #duplicates()} — machine-level readings
 *       are never summed or averaged.</li>
 *   <li>{@code ram-model:<host>} is not counted where a measured {@code dram:<host>:*} domain exists (same memory):
 *       listed in {@link #superseded()}.</li>
 *   <li>Idle baseline: per device, idle power ({@code idle-baseline} energy / its window) × the device's {@code run}
 *       window gives the energy the device would have used idle; the sum is reported separately, never silently
 *       subtracted.</li>
 * </ul>
 */
public final class EnergyAccounting {

    /** Categories of device keys, by prefix. */
    public static final String GPU = "gpu";
    public static final String CPU = "cpu";
    public static final String RAM = "ram";
    public static final String OTHER = "other";

    /**
     * One counted device.
     *
     * @param deviceKey    the key
     * @param figure       the counted figure
     * @param processIndex the process whose figure is counted
     * @param reportedBy   every process that reported this key (sorted)
     * @param alternatives best figure of each other method (method -> joules)
     */
    public record Device(String deviceKey, EnergyFigure figure, int processIndex, List<Integer> reportedBy,
                         Map<String, Double> alternatives) {
    }

    /** Idle figures of one counted device. */
    public record Idle(String deviceKey, EnergyFigure figure, int processIndex, double idlePowerWatts,
                       Double idleEnergyOverRunJoules) {
    }

    private final TreeMap<String, Device> run;
    private final TreeMap<String, Idle> idle;
    private final TreeMap<String, List<Integer>> duplicates;
    private final TreeMap<String, String> superseded;

    private EnergyAccounting(TreeMap<String, Device> run, TreeMap<String, Idle> idle,
                             TreeMap<String, List<Integer>> duplicates, TreeMap<String, String> superseded) {
        this.run = run;
        this.idle = idle;
        this.duplicates = duplicates;
        this.superseded = superseded;
    }

    public static EnergyAccounting of(List<ProcessSummary> processes) {
        TreeMap<String, Device> run = select(processes, true);
        TreeMap<String, Device> idleDevices = select(processes, false);
        TreeMap<String, String> superseded = new TreeMap<>();
        for (String key : new ArrayList<>(run.keySet())) {
            if (key.startsWith("ram-model:")) {
                String host = key.substring("ram-model:".length());
                String prefix = "dram:" + host + ":";
                String measured = run.ceilingKey(prefix);
                if (measured != null && measured.startsWith(prefix)) {
                    superseded.put(key, prefix + "*");
                    run.remove(key);
                    idleDevices.remove(key);
                }
            }
        }
        TreeMap<String, List<Integer>> duplicates = new TreeMap<>();
        for (Device d : run.values()) {
            if (d.reportedBy().size() > 1) {
                duplicates.put(d.deviceKey(), d.reportedBy());
            }
        }
        TreeMap<String, Idle> idle = new TreeMap<>();
        for (Device d : idleDevices.values()) {
            double watts = d.figure().meanPowerWatts();
            if (Double.isNaN(watts)) {
                continue;
            }
            Device counted = run.get(d.deviceKey());
            Double overRun = counted == null ? null : watts * counted.figure().windowDurationNanos() / 1e9;
            idle.put(d.deviceKey(), new Idle(d.deviceKey(), d.figure(), d.processIndex(), watts, overRun));
        }
        return new EnergyAccounting(run, idle, duplicates, superseded);
    }

    private static TreeMap<String, Device> select(List<ProcessSummary> processes, boolean runWindow) {
        TreeMap<String, List<Candidate>> byKey = new TreeMap<>();
        for (ProcessSummary p : processes) {
            Map<String, TreeMap<String, EnergyFigure>> energy = runWindow ? p.runEnergy() : p.idleEnergy();
            for (Map.Entry<String, TreeMap<String, EnergyFigure>> e : energy.entrySet()) {
                for (EnergyFigure f : e.getValue().values()) {
                    byKey.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new Candidate(f, p.processIndex()));
                }
            }
        }
        TreeMap<String, Device> out = new TreeMap<>();
        for (Map.Entry<String, List<Candidate>> e : byKey.entrySet()) {
            Candidate best = null;
            TreeSet<Integer> reporters = new TreeSet<>();
            TreeMap<String, Candidate> bestPerMethod = new TreeMap<>();
            for (Candidate c : e.getValue()) {
                reporters.add(c.processIndex);
                if (best == null || c.betterThan(best)) {
                    best = c;
                }
                Candidate m = bestPerMethod.get(c.figure.method());
                if (m == null || c.betterThan(m)) {
                    bestPerMethod.put(c.figure.method(), c);
                }
            }
            TreeMap<String, Double> alternatives = new TreeMap<>();
            for (Candidate c : bestPerMethod.values()) {
                if (!c.figure.method().equals(best.figure.method())) {
                    alternatives.put(c.figure.method(), c.figure.energyJoules());
                }
            }
            out.put(e.getKey(), new Device(e.getKey(), best.figure, best.processIndex,
                    List.copyOf(reporters), Collections.unmodifiableMap(alternatives)));
        }
        return out;
    }

    private record Candidate(EnergyFigure figure, int processIndex) {
        boolean betterThan(Candidate o) {
            int r = Integer.compare(EnergyFigure.methodRank(figure.method()), EnergyFigure.methodRank(o.figure.method()));
            if (r != 0) {
                return r < 0;
            }
            int m = figure.method().compareTo(o.figure.method());
            if (m != 0) {
                return m < 0;
            }
            if (figure.windowDurationNanos() != o.figure.windowDurationNanos()) {
                return figure.windowDurationNanos() > o.figure.windowDurationNanos();
            }
            return processIndex < o.processIndex;
        }
    }

    /** Category of a device key: {@code gpu}, {@code cpu}, {@code ram} ({@code dram:}, {@code ram-model:}) or other. */
    public static String category(String deviceKey) {
        int colon = deviceKey.indexOf(':');
        String prefix = colon < 0 ? deviceKey : deviceKey.substring(0, colon);
        switch (prefix) {
            case "gpu":
                return GPU;
            case "cpu":
                return CPU;
            case "dram":
            case "ram-model":
                return RAM;
            default:
                return OTHER;
        }
    }

    /** Counted devices of the {@code run} window. */
    public Map<String, Device> devices() {
        return Collections.unmodifiableMap(run);
    }

    public boolean measured() {
        return !run.isEmpty();
    }

    /** Sum over counted devices; null when nothing was measured. */
    public Double totalJoules() {
        if (run.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (Device d : run.values()) {
            sum += d.figure().energyJoules();
        }
        return sum;
    }

    /** Sum over counted devices of one category; null when none of that category was measured. */
    public Double joules(String category) {
        Double sum = null;
        for (Device d : run.values()) {
            if (category(d.deviceKey()).equals(category)) {
                sum = (sum == null ? 0 : sum) + d.figure().energyJoules();
            }
        }
        return sum;
    }

    /** Methods behind a category's figure (all categories when {@code category} is null), e.g. {@code counter+model}. */
    public String methods(String category) {
        TreeSet<String> methods = new TreeSet<>();
        for (Device d : run.values()) {
            if (category == null || category(d.deviceKey()).equals(category)) {
                methods.add(d.figure().method());
            }
        }
        return methods.isEmpty() ? null : String.join("+", methods);
    }

    /** Summed uncertainty of counted devices (worst case, linear sum); null when any counted figure has none. */
    public Double uncertaintyJoules() {
        if (run.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (Device d : run.values()) {
            if (d.figure().uncertaintyJoules() == null) {
                return null;
            }
            sum += d.figure().uncertaintyJoules();
        }
        return sum;
    }

    /** Device keys reported by more than one process -> those processes (counted once anyway). */
    public Map<String, List<Integer>> duplicates() {
        return Collections.unmodifiableMap(duplicates);
    }

    /** Modelled keys not counted because a measured domain covers them -> the measured keys' pattern. */
    public Map<String, String> superseded() {
        return Collections.unmodifiableMap(superseded);
    }

    /** Idle-baseline figures per counted device. */
    public Map<String, Idle> idle() {
        return Collections.unmodifiableMap(idle);
    }

    /** Methods behind the idle figures that count towards {@link #idleJoules()}, e.g. {@code counter}. */
    public String idleMethods() {
        TreeSet<String> methods = new TreeSet<>();
        for (Idle i : idle.values()) {
            if (i.idleEnergyOverRunJoules() != null) {
                methods.add(i.figure().method());
            }
        }
        return methods.isEmpty() ? null : String.join("+", methods);
    }

    /** Idle power × run window, summed over devices with both an idle baseline and a run figure; null when none. */
    public Double idleJoules() {
        Double sum = null;
        for (Idle i : idle.values()) {
            if (i.idleEnergyOverRunJoules() != null) {
                sum = (sum == null ? 0 : sum) + i.idleEnergyOverRunJoules();
            }
        }
        return sum;
    }
}
