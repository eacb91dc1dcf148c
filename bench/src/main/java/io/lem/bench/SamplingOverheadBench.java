package io.lem.bench;

import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import io.lem.api.event.LemEvent;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.events.EventSink;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.measure.ProcessMeasurement;
import io.lem.runner.measure.UnopenedSource;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.EnergySelection;
import io.lem.runner.plugins.PluginDiscovery;
import io.lem.runner.plugins.PluginRegistry;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * How much CPU lem's sampling costs while a runner process measures: discovers the built-in plugins, opens every
 * energy source a local-rank-0 process would run (as {@link ProcessMeasurement} selects them), starts the
 * {@code lem-power-sampler} at the sampling interval with events written to a JSONL file, waits, and reads the CPU
 * time of every sampling thread (the power sampler's and the plugins' own: {@code lem-nvml-sampler},
 * {@code lem-rapl-*}; the cpu-model plugin has no thread, it integrates when read) with {@link ThreadMXBean}; the process CPU time is printed as a
 * cross-check (it also holds JIT compilation, GC and this main thread). Target: sampling under 0.5% of one core at
 * 100 ms.
 *
 * <pre>
 * usage: SamplingOverheadBench [seconds (default 30)] [--interval-ms N (default 100)] [--warmup-s N (default 5)]
 *                              [--sink file|null (default file)] [--fake-rapl SOCKETS (default 0)]
 * </pre>
 * The warm-up (JIT compilation of the sampling path, Jackson building its serializers) is run first and not
 * counted; {@code --warmup-s 0} counts everything. {@code --sink null} drops the events, showing what encoding and
 * writing them costs by difference. {@code --fake-rapl 2} points the RAPL plugin at a generated powercap tree of
 * two sockets (package and DRAM zones, counters that do not move), so that a hardware-counter source, read every
 * interval, is part of the figure on a machine without RAPL.
 * Exit status 0 on PASS, 1 on FAIL, 2 on a usage error.
 */
public final class SamplingOverheadBench {

    /** Share of one core all sampling may use. */
    static final double TARGET_PERCENT_OF_ONE_CORE = 0.5;

    /** The threads that sample: lem's own and the built-in plugins'. */
    static final Predicate<String> SAMPLING_THREAD = name -> name.equals(ProcessMeasurement.SAMPLER_THREAD_NAME)
            || name.equals("lem-nvml-sampler")
            || name.startsWith("lem-rapl-");

    private SamplingOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("usage: SamplingOverheadBench " + Options.USAGE + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options) ? 0 : 1);
    }

    /** Command-line options. */
    record Options(int seconds, Duration interval, int warmupSeconds, boolean fileSink, int fakeRaplSockets) {
        static final String USAGE = "[seconds (default 30)] [--interval-ms N (default 100)] "
                + "[--warmup-s N (default 5)] [--sink file|null (default file)] [--fake-rapl SOCKETS (default 0)]";

        static Options parse(String[] args) {
            int seconds = 30;
            long intervalMs = 100;
            int warmup = 5;
            boolean file = true;
            int fakeRapl = 0;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                } else if (arg.startsWith("--")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    value = args[++i];
                }
                try {
                    switch (arg) {
                        case "--interval-ms":
                            intervalMs = Long.parseLong(value);
                            break;
                        case "--warmup-s":
                            warmup = Integer.parseInt(value);
                            break;
                        case "--fake-rapl":
                            fakeRapl = Integer.parseInt(value);
                            break;
                        case "--sink":
                            if (!value.equals("file") && !value.equals("null")) {
                                throw new IllegalArgumentException("--sink must be file or null, was " + value);
                            }
                            file = value.equals("file");
                            break;
                        default:
                            if (arg.startsWith("--")) {
                                throw new IllegalArgumentException("unknown option " + arg);
                            }
                            seconds = Integer.parseInt(arg);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a whole number: " + (value == null ? arg : value));
                }
            }
            if (seconds < 1 || intervalMs < 1 || warmup < 0 || fakeRapl < 0 || fakeRapl > 8) {
                throw new IllegalArgumentException("seconds and interval must be >= 1, warm-up >= 0, "
                        + "--fake-rapl 0 to 8");
            }
            return new Options(seconds, Duration.ofMillis(intervalMs), warmup, file, fakeRapl);
        }
    }

    /**
     * A thread that does nothing but wake at the sampling interval, as every sampler must: its CPU time is the
     * platform's floor for one sampling thread (a few microseconds per wake-up on bare metal, far more in some VMs).
     */
    private static final class IdleTicker extends Thread {
        private final long intervalNanos;
        private volatile boolean running = true;

        IdleTicker(Duration interval) {
            super("lem-bench-idle-ticker");
            setDaemon(true);
            this.intervalNanos = interval.toNanos();
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            while (running) {
                next += intervalNanos;
                for (long wait = next - System.nanoTime(); running && wait > 0; wait = next - System.nanoTime()) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        }

        void stopTicking() {
            running = false;
            LockSupport.unpark(this);
        }
    }

    /** Drops events: the sampling cost without encoding and writing them. */
    private static final class NullSink implements EventSink {
        @Override
        public void send(LemEvent event) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** Runs the bench and prints the report; true when it passes. */
    static boolean run(Options options) throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread CPU time");
        }
        if (!threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
        String host = hostName();
        PluginContext context = PluginContext.local(host).withSamplingInterval(options.interval());
        Path dir = Files.createTempDirectory("lem-sampling-bench");
        Path eventsFile = dir.resolve("events.jsonl");
        if (options.fakeRaplSockets() > 0) {
            context = context.withSettings(Map.of("rapl.root",
                    fakePowercap(dir.resolve("powercap"), options.fakeRaplSockets()).toString()));
        }

        try (PluginRegistry registry = PluginDiscovery.builder().build().discover(context);
             EventSink sink = options.fileSink() ? FileEventSink.open(eventsFile) : new NullSink()) {
            EventEmitter emitter = new EventEmitter("bench-" + UUID.randomUUID(), 0, host, sink);
            Map<String, Long> cpuAtOpen;
            Map<String, Long> cpuAtStart;
            Map<String, Long> cpuAtEnd;
            long processCpuStart;
            long processCpuEnd;
            long wallStart;
            long wallEnd;
            long samplesAtStart;
            long samples;
            long eventsAtStart;
            long tickerNanos;
            List<String> opened;
            int devices;
            try (ProcessMeasurement measurement = ProcessMeasurement.builder(registry, emitter).open()) {
                opened = measurement.openedSources();
                devices = measurement.devices().size();
                System.out.println("energy plugins:");
                for (DiscoveredPlugin p : registry.plugins(PluginKind.ENERGY)) {
                    System.out.println("  " + p.name() + " " + p.version() + ": " + state(measurement, p));
                }
                measurement.devices().forEach(d -> System.out.println("  device " + d.key() + " (" + d.name() + ")"));

                cpuAtOpen = samplingThreadCpu(threads);
                measurement.startSampling();
                waitFor(Duration.ofSeconds(options.warmupSeconds()));

                IdleTicker ticker = new IdleTicker(options.interval());
                ticker.start();
                processCpuStart = processCpuNanos();
                wallStart = System.nanoTime();
                cpuAtStart = samplingThreadCpu(threads);
                long tickerAtStart = threads.getThreadCpuTime(ticker.getId());
                samplesAtStart = measurement.samplesEmitted();
                eventsAtStart = emitter.nextSeq();
                waitFor(Duration.ofSeconds(options.seconds()));
                cpuAtEnd = samplingThreadCpu(threads); // before close: the plugins' threads end with their sources
                wallEnd = System.nanoTime();
                processCpuEnd = processCpuNanos();
                tickerNanos = threads.getThreadCpuTime(ticker.getId()) - tickerAtStart;
                ticker.stopTicking();
                samples = measurement.samplesEmitted() - samplesAtStart;
            }
            long events = emitter.nextSeq() - eventsAtStart;
            sink.flush();
            long eventBytes = options.fileSink() ? Files.size(eventsFile) : 0;

            double wallMs = (wallEnd - wallStart) / 1e6;
            Map<String, Long> perThread = new LinkedHashMap<>();
            cpuAtEnd.forEach((name, end) -> perThread.put(name, end - cpuAtStart.getOrDefault(name, 0L)));
            Map<String, Long> warmup = new LinkedHashMap<>();
            cpuAtStart.forEach((name, start) -> warmup.put(name, start - cpuAtOpen.getOrDefault(name, 0L)));
            double samplingMs = perThread.values().stream().mapToLong(Long::longValue).sum() / 1e6;
            double warmupMs = warmup.values().stream().mapToLong(Long::longValue).sum() / 1e6;
            double percent = 100.0 * samplingMs / wallMs;
            double processMs = processCpuEnd < 0 || processCpuStart < 0 ? Double.NaN
                    : (processCpuEnd - processCpuStart) / 1e6;
            double ticks = wallMs / options.interval().toMillis();
            boolean pass = percent < TARGET_PERCENT_OF_ONE_CORE;

            System.out.println();
            System.out.printf(Locale.ROOT, "setup:                interval %d ms, measured %d s after %d s of warm-up, "
                            + "events to %s, %d CPUs, Java %s%n", options.interval().toMillis(), options.seconds(),
                    options.warmupSeconds(), options.fileSink() ? "a JSONL file" : "a null sink",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "sources opened:       %d %s (%d devices)%n", opened.size(), opened, devices);
            System.out.printf(Locale.ROOT, "samples emitted:      %d (%.1f/s; %d events%s)%n", samples,
                    samples / (wallMs / 1000), events, options.fileSink() ? ", JSONL file " + eventBytes
                            + " bytes in all" : "");
            perThread.forEach((name, nanos) -> System.out.printf(Locale.ROOT,
                    "  thread %-26s %9.3f ms CPU = %6.1f us per interval = %.4f%% of one core%n",
                    name, nanos / 1e6, nanos / 1e3 / ticks, 100.0 * nanos / 1e6 / wallMs));
            System.out.printf(Locale.ROOT, "wake-up floor:        %.3f ms CPU = %.1f us per interval = %.4f%% of one core: "
                            + "what a thread that only wakes every interval costs on this machine (not counted)%n",
                    tickerNanos / 1e6, tickerNanos / 1e3 / ticks, 100.0 * tickerNanos / 1e6 / wallMs);
            System.out.printf(Locale.ROOT, "warm-up sampling CPU: %.3f ms (not counted)%n", warmupMs);
            System.out.printf(Locale.ROOT, "sampling CPU:         %.3f ms%n", samplingMs);
            System.out.printf(Locale.ROOT, "wall:                 %.1f ms%n", wallMs);
            System.out.printf(Locale.ROOT, "process CPU:          %.3f ms = %.4f%% of one core (all threads: JIT, GC "
                    + "and the idle main thread too; a cross-check and upper bound)%n", processMs,
                    100 * processMs / wallMs);
            System.out.printf(Locale.ROOT, "sampling overhead:    %.4f%% of one core (target < %.1f%%): %s%n",
                    percent, TARGET_PERCENT_OF_ONE_CORE, pass ? "PASS" : "FAIL");
            return pass;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * A powercap tree as Linux lays it out, {@code sockets} packages each with a DRAM subzone, counters that do not
     * move: the RAPL plugin then runs its real read path (one {@code energy_uj} read per domain per tick), which
     * is what a hardware counter source costs at the interval; this VM has no RAPL of its own.
     */
    static Path fakePowercap(Path root, int sockets) throws IOException {
        for (int s = 0; s < sockets; s++) {
            zone(root.resolve("intel-rapl:" + s), "package-" + s, 1_000_000L * (s + 1));
            zone(root.resolve("intel-rapl:" + s + ":0"), "dram", 500_000L * (s + 1));
        }
        return root;
    }

    private static void zone(Path dir, String name, long energyUj) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("name"), name + "\n");
        Files.writeString(dir.resolve("energy_uj"), energyUj + "\n");
        Files.writeString(dir.resolve("max_energy_range_uj"), "262143328850\n");
    }

    private static String state(ProcessMeasurement measurement, DiscoveredPlugin p) {
        if (measurement.openedSources().contains(p.name())) {
            return "OPENED";
        }
        for (UnopenedSource u : measurement.unopened()) {
            if (u.plugin().equals(p.name())) {
                return "did not open: " + u.reason();
            }
        }
        for (EnergySelection.NotRun n : measurement.energySelection().notRun()) {
            if (n.plugin().name().equals(p.name())) {
                return "not run: " + n.reason();
            }
        }
        return p.status();
    }

    private static void waitFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** CPU nanoseconds of each live sampling thread, by {@code name#id} (a thread that died is missing). */
    static Map<String, Long> samplingThreadCpu(ThreadMXBean threads) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        ThreadInfo[] infos = threads.getThreadInfo(threads.getAllThreadIds());
        java.util.Arrays.sort(infos, Comparator.nullsLast(Comparator.comparing(ThreadInfo::getThreadName)));
        for (ThreadInfo info : infos) {
            if (info == null || !SAMPLING_THREAD.test(info.getThreadName())) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                cpu.put(info.getThreadName() + "#" + info.getThreadId(), nanos);
            }
        }
        return cpu;
    }

    private static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
