package io.lem.bench;

import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventKey;
import io.lem.api.event.ExperimentCompleted;
import io.lem.api.event.ExperimentStarted;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessStarted;
import io.lem.api.event.TokensGenerated;

import io.lem.events.kafka.EventFrames;
import org.apache.kafka.common.header.Headers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Deterministic synthetic event streams with the mix a real run writes, encoded to the bytes the runner would put on
 * the topic. Per runner process: {@code ProcessStarted}; per batch (the first one a warm-up batch) {@code BatchStarted},
 * {@code PrefillCompleted}, one {@code TokensGenerated} per decode step, {@code BatchCompleted} and a per-batch
 * {@code FlopsEstimate}; a {@code PowerSample} of its GPU every 100 ms of simulated time, interleaved by time; at the
 * end the {@code run}-window {@code EnergyReading}s (its GPU; local rank 0 also the host's CPU packages and DRAM) and
 * {@code ProcessCompleted} with {@code lastSeq}. The launcher (process index -1) writes {@code ExperimentStarted} and
 * {@code ExperimentCompleted}. Seqs are gap-free from 0 per key; event ids are random-looking but seeded.
 */
final class SyntheticEvents {
    /** Wall clock of the first simulated event (2025-06-15T14:13:20Z); simulated time only moves forward from it. */
    static final long T0_EPOCH_NANOS = 1_750_000_000_000_000_000L;
    static final long POWER_INTERVAL_NANOS = 100_000_000L;
    static final int BATCH_SIZE = 8;
    static final double PARAMETERS = 8.0e9;
    static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    private static final EventCodec CODEC = new EventCodec();

    private SyntheticEvents() {
    }

    /** One process's events as record values, in seq order, and what its measured batches add up to. */
    static final class EncodedProcess {
        final int processIndex;
        final String key;
        final byte[][] values;
        /** seq of each measured {@code BatchCompleted}, in order. */
        final long[] batchCompletedSeqs;
        /** {@code output_tokens} of the process once the batch at the same position has completed. */
        final long[] cumulativeOutputTokens;
        /** Events per type. */
        final Map<String, Long> types;

        EncodedProcess(int processIndex, String key, byte[][] values, long[] batchCompletedSeqs,
                       long[] cumulativeOutputTokens, Map<String, Long> types) {
            this.processIndex = processIndex;
            this.key = key;
            this.values = values;
            this.batchCompletedSeqs = batchCompletedSeqs;
            this.cumulativeOutputTokens = cumulativeOutputTokens;
            this.types = types;
        }

        long bytes() {
            long n = 0;
            for (byte[] v : values) {
                n += v.length;
            }
            return n;
        }
    }

    /** One experiment: the launcher's two events and every process's stream. */
    static final class EncodedExperiment {
        final String id;
        final String launcherKey;
        final byte[] started;
        final byte[] completed;
        final List<EncodedProcess> processes;

        EncodedExperiment(String id, byte[] started, byte[] completed, List<EncodedProcess> processes) {
            this.id = id;
            this.launcherKey = EventKey.of(id, LemEvent.LAUNCHER_PROCESS_INDEX);
            this.started = started;
            this.completed = completed;
            this.processes = processes;
        }

        /** Every event of the experiment, the launcher's two included. */
        long events() {
            long n = 2;
            for (EncodedProcess p : processes) {
                n += p.values.length;
            }
            return n;
        }

        long bytes() {
            long n = started.length + completed.length;
            for (EncodedProcess p : processes) {
                n += p.bytes();
            }
            return n;
        }

        /**
         * The order a real run writes the experiment in: the launcher's start, the processes' streams interleaved
         * (round robin over processes, each in seq order), the launcher's end. With {@code maxRecordBytes} > 0 each
         * process's consecutive events are packed into records of up to that many bytes, as a runner's spool
         * delivery packs them ({@link EventFrames}); 0 writes one event per record.
         */
        void forEachInWriteOrder(int maxRecordBytes, RecordSink sink) {
            sink.accept(launcherKey, started, EventFrames.headers(0, 1), 1);
            int[] next = new int[processes.size()];
            boolean more = true;
            while (more) {
                more = false;
                for (int k = 0; k < processes.size(); k++) {
                    EncodedProcess p = processes.get(k);
                    int from = next[k];
                    if (from >= p.values.length) {
                        continue;
                    }
                    int to = from + 1;
                    int bytes = p.values[from].length;
                    while (maxRecordBytes > 0 && to < p.values.length
                            && bytes + 1 + p.values[to].length <= maxRecordBytes) {
                        bytes += 1 + p.values[to].length;
                        to++;
                    }
                    sink.accept(p.key, to - from == 1 ? p.values[from] : pack(p.values, from, to, bytes),
                            EventFrames.headers(from, to - from), to - from);
                    next[k] = to;
                    more |= to < p.values.length;
                }
            }
            sink.accept(launcherKey, completed, EventFrames.headers(1, 1), 1);
        }

        private static byte[] pack(byte[][] values, int from, int to, int bytes) {
            byte[] packed = new byte[bytes];
            int at = 0;
            for (int i = from; i < to; i++) {
                if (i > from) {
                    packed[at++] = EventFrames.SEPARATOR;
                }
                System.arraycopy(values[i], 0, packed, at, values[i].length);
                at += values[i].length;
            }
            return packed;
        }
    }

    /** Receives records in write order: key, value, headers and the number of events the value holds. */
    interface RecordSink {
        void accept(String key, byte[] value, Headers headers, int events);
    }

    /**
     * Generates and encodes an experiment (the processes in parallel on the common pool).
     *
     * @param id                 experiment id
     * @param seed               makes the ids and jitter reproducible
     * @param processes          runner processes (one GPU each, on one host; local rank = process index)
     * @param minEventsPerProcess each process writes at least this many events (whole batches: up to one batch more)
     * @param decodeSteps        decode steps per batch ({@code max_new_tokens - 1})
     * @param startOffsetNanos   simulated start of the experiment after {@link #T0_EPOCH_NANOS}
     */
    static EncodedExperiment experiment(String id, long seed, int processes, int minEventsPerProcess,
                                        int decodeSteps, long startOffsetNanos) {
        String host = "node-" + Long.toHexString(seed & 0xffff);
        List<EncodedProcess> encoded = IntStream.range(0, processes).parallel()
                .mapToObj(p -> encode(p, process(id, seed * 1_000 + p, p, processes, host, minEventsPerProcess,
                        decodeSteps, startOffsetNanos + 1_000_000L * p)))
                .toList();
        SplittableRandom random = new SplittableRandom(seed * 1_000 + 999);
        long t = T0_EPOCH_NANOS + startOffsetNanos;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("config_name", "bench-" + id);
        config.put("model_name", MODEL);
        config.put("max_new_tokens", decodeSteps + 1);
        config.put("batch_size", BATCH_SIZE);
        config.put("num_processes", processes);
        config.put("energy", Map.of("carbon_region", "DE", "pue", 1.2, "sampling_interval_ms", 100));
        ExperimentStarted started = new ExperimentStarted(envelope(random, id, LemEvent.LAUNCHER_PROCESS_INDEX, 0,
                "launcher-host", t - 5_000_000L, 0), "bench-" + id, MODEL, "main", processes, config, "0.1.0-bench");
        long duration = 0;
        for (EncodedProcess p : encoded) {
            duration = Math.max(duration, p.values.length * 20_000_000L);
        }
        ExperimentCompleted completed = new ExperimentCompleted(envelope(random, id, LemEvent.LAUNCHER_PROCESS_INDEX,
                1, "launcher-host", t + duration, duration), "completed", processes, 0, duration);
        return new EncodedExperiment(id, CODEC.encode(started), CODEC.encode(completed), encoded);
    }

    private static EncodedProcess encode(int processIndex, List<LemEvent> events) {
        byte[][] values = new byte[events.size()][];
        List<long[]> batches = new ArrayList<>();
        Map<String, Long> types = new TreeMap<>();
        long output = 0;
        for (int i = 0; i < values.length; i++) {
            LemEvent e = events.get(i);
            values[i] = CODEC.encode(e);
            types.merge(e.type(), 1L, Long::sum);
            if (e instanceof BatchCompleted && !((BatchCompleted) e).warmup()) {
                output += ((BatchCompleted) e).outputTokens();
                batches.add(new long[] {e.envelope().seq(), output});
            }
        }
        long[] seqs = batches.stream().mapToLong(b -> b[0]).toArray();
        long[] cumulative = batches.stream().mapToLong(b -> b[1]).toArray();
        return new EncodedProcess(processIndex, events.get(0).envelope().key(), values, seqs, cumulative, types);
    }

    /** One runner process's events, seq 0..n-1, in the order (and with the clocks) a runner would write them. */
    static List<LemEvent> process(String id, long seed, int p, int processes, String host, int minEvents,
                                  int decodeSteps, long startOffsetNanos) {
        Gen g = new Gen(id, seed, p, host, T0_EPOCH_NANOS + startOffsetNanos);
        String gpu = g.gpuKey;
        String gpuUuid = gpu.substring("gpu:GPU-".length());
        List<DeviceInfo> devices = new ArrayList<>();
        devices.add(new DeviceInfo(gpu, "gpu", "NVIDIA H100 80GB HBM3", "GPU-" + gpuUuid, 80L << 30));
        List<String> hostKeys = new ArrayList<>();
        if (p == 0) {
            for (int pkg = 0; pkg < 2; pkg++) {
                String cpu = "cpu:" + host + ":package-" + pkg;
                devices.add(new DeviceInfo(cpu, "cpu", "AMD EPYC 9454 48-Core Processor", null, null));
                hostKeys.add(cpu);
            }
            String dram = "dram:" + host + ":0";
            devices.add(new DeviceInfo(dram, "dram", "DRAM", null, 1536L << 30));
            hostKeys.add(dram);
        }
        List<PluginInfo> plugins = List.of(new PluginInfo("nvml", "0.1.0", "energy"),
                new PluginInfo("rapl", "0.1.0", "energy"), new PluginInfo("flops", "0.1.0", "flops"),
                new PluginInfo("carbon", "0.1.0", "carbon"));
        g.add(new ProcessStarted(g.env(), "machine-" + host, 40_000 + p, p, processes, devices,
                "AMD EPYC 9454 48-Core Processor", plugins));
        g.nextPower = g.t + POWER_INTERVAL_NANOS;
        int tail = 1 + 1 + hostKeys.size(); // run-window energy readings and ProcessCompleted
        int batches = 0;
        long inputTotal = 0;
        long outputTotal = 0;
        long measuredStart = -1;
        long measuredEnd = 0;
        for (int b = 0; b == 0 || g.events.size() + tail < minEvents; b++) {
            boolean warmup = b == 0;
            long input = 0;
            long longest = 0;
            for (int s = 0; s < BATCH_SIZE; s++) {
                long len = 96 + g.random.nextInt(160);
                input += len;
                longest = Math.max(longest, len);
            }
            long batchStart = g.t;
            if (!warmup && measuredStart < 0) {
                measuredStart = batchStart;
            }
            g.add(new BatchStarted(g.env(), b, BATCH_SIZE, input, BATCH_SIZE * longest, warmup));
            long ttft = 60_000_000L + g.random.nextInt(40_000_000);
            g.advance(ttft);
            g.add(new PrefillCompleted(g.env(), b, ttft, input));
            long output = BATCH_SIZE; // the prefill's token of every sequence
            long decode = 0;
            int eos = 0;
            for (int step = 1; step <= decodeSteps; step++) {
                // a few sequences stop at EOS in the last steps
                int running = BATCH_SIZE - Math.max(0, step - (decodeSteps - 3));
                running = Math.max(running, BATCH_SIZE / 2);
                eos = BATCH_SIZE - running;
                long stepNanos = 20_000_000L + g.random.nextInt(10_000_000);
                g.advance(stepNanos);
                decode += stepNanos;
                output += running;
                g.add(new TokensGenerated(g.env(), b, step, running, stepNanos));
            }
            g.add(new BatchCompleted(g.env(), b, input, output, ttft, decode, g.t - batchStart, warmup,
                    eos == 0 ? Map.of("length", BATCH_SIZE) : Map.of("length", BATCH_SIZE - eos, "eos", eos)));
            long tokens = input + output;
            double flops = 2 * PARAMETERS * tokens;
            g.add(new FlopsEstimate(g.env(), "architecture-causal", b, flops, flops / 2, tokens,
                    Map.of("attention", 0.08 * flops, "mlp", 0.85 * flops, "lm_head", 0.07 * flops)));
            if (!warmup) {
                batches++;
                inputTotal += input;
                outputTotal += output;
                measuredEnd = g.t;
            }
        }
        long window = g.t - g.startNanos;
        g.add(new EnergyReading(g.env(), gpu, "counter", "run", 310.0 * window / 1e9, window,
                0.05 * 310.0 * window / 1e9, "nvml"));
        for (String key : hostKeys) {
            double watts = key.startsWith("dram:") ? 18.0 : 140.0;
            g.add(new EnergyReading(g.env(), key, "counter", "run", watts * window / 1e9, window, null, "rapl"));
        }
        g.add(new ProcessCompleted(g.env(), g.seq, batches, inputTotal, outputTotal,
                Math.max(0, measuredEnd - measuredStart)));
        return g.events;
    }

    /** The simulated clock and seq counter of one process; power samples fall due as the clock advances. */
    private static final class Gen {
        final String id;
        final int p;
        final String host;
        final SplittableRandom random;
        final long startNanos;
        final String gpuKey;
        final List<LemEvent> events = new ArrayList<>();
        long t;
        long seq;
        long nextPower;

        Gen(String id, long seed, int p, String host, long startEpochNanos) {
            this.id = id;
            this.p = p;
            this.host = host;
            this.random = new SplittableRandom(seed);
            this.startNanos = startEpochNanos;
            this.t = startEpochNanos;
            this.gpuKey = "gpu:GPU-" + uuid(new SplittableRandom(seed ^ 0x5DEECE66DL));
        }

        Envelope env() {
            return envelope(random, id, p, seq, host, t, t - T0_EPOCH_NANOS);
        }

        void add(LemEvent e) {
            events.add(e);
            seq++;
        }

        /** Moves the clock forward, writing the power samples that fall due on the way. */
        void advance(long nanos) {
            long until = t + nanos;
            while (nextPower <= until) {
                t = nextPower;
                add(new PowerSample(env(), gpuKey, 280.0 + random.nextInt(120) + random.nextDouble(), "nvml"));
                nextPower += POWER_INTERVAL_NANOS;
            }
            t = until;
        }
    }

    private static Envelope envelope(SplittableRandom random, String id, int p, long seq, String host,
                                     long epochNanos, long monoNanos) {
        return new Envelope(LemEvent.SCHEMA_VERSION, uuid(random).toString(), id, p, seq, host, epochNanos,
                monoNanos);
    }

    /** A version-4-shaped UUID from a seeded generator. */
    private static UUID uuid(SplittableRandom random) {
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | Long.MIN_VALUE;
        return new UUID(most, least);
    }
}
