package io.lem.aggregator.app;

import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.ExperimentCompleted;
import io.lem.api.event.ExperimentStarted;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessStarted;
import io.lem.api.event.TokensGenerated;
import io.lem.events.kafka.LemEventSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Deterministic, realistic event streams of whole experiments, and a plain producer to write them. */
public final class TestEvents {
    private static final long T0 = 1_750_000_000_000_000_000L;

    private TestEvents() {
    }

    /**
     * Every event of an experiment with {@code processes} runner processes, each running {@code batches} measured
     * batches of {@code steps} decode steps: launcher start, per-process streams, launcher end. Events of one process
     * are in seq order; processes are interleaved as a real run would write them.
     */
    public static List<LemEvent> experiment(String id, int processes, int batches, int steps) {
        List<List<LemEvent>> perProcess = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            perProcess.add(process(id, p, processes, batches, steps));
        }
        List<LemEvent> out = new ArrayList<>();
        out.add(new ExperimentStarted(env(id, LemEvent.LAUNCHER_PROCESS_INDEX, 0, 0), "test-config", "tiny/gpt",
                "main", processes, Map.of("model_name", "tiny/gpt", "max_new_tokens", steps + 1), "0.1.0-test"));
        int longest = perProcess.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<LemEvent> events : perProcess) {
                if (i < events.size()) {
                    out.add(events.get(i));
                }
            }
        }
        out.add(new ExperimentCompleted(env(id, LemEvent.LAUNCHER_PROCESS_INDEX, 1, 5_000_000_000L), "completed",
                processes, 0, 5_000_000_000L));
        return out;
    }

    /** One process's events, seq 0..n-1. */
    public static List<LemEvent> process(String id, int p, int processes, int batches, int steps) {
        List<LemEvent> out = new ArrayList<>();
        long[] seq = {0};
        long t = 10_000_000L * (p + 1);
        String gpu = "gpu:GPU-" + UUID.nameUUIDFromBytes((id + p).getBytes(StandardCharsets.UTF_8));
        String cpu = "cpu:host-" + p + ":package-0";
        out.add(new ProcessStarted(env(id, p, seq[0]++, t), "host-" + p, 1000 + p, 0, processes,
                List.of(new DeviceInfo(gpu, "gpu", "Test GPU", gpu.substring(4), 80L << 30),
                        new DeviceInfo(cpu, "cpu", "Test CPU", null, null)),
                "Test CPU", List.of(new PluginInfo("nvml", "1.0", "energy"))));
        long inputTotal = 0;
        long outputTotal = 0;
        long start = t;
        for (int b = 0; b < batches; b++) {
            long input = 64 + 8L * b + p;
            t += 1_000_000;
            out.add(new BatchStarted(env(id, p, seq[0]++, t), b, 4, input, 4L * 20, false));
            long ttft = 20_000_000L + 1_000_000L * b + 100_000L * p;
            t += ttft;
            out.add(new PrefillCompleted(env(id, p, seq[0]++, t), b, ttft, input));
            long decode = 0;
            long outTokens = 4;
            for (int s = 1; s <= steps; s++) {
                long step = 5_000_000L + 10_000L * s + 1_000L * p;
                t += step;
                decode += step;
                outTokens += 4;
                out.add(new TokensGenerated(env(id, p, seq[0]++, t), b, s, 4, step));
            }
            out.add(new PowerSample(env(id, p, seq[0]++, t), gpu, 250.0 + p + b, "nvml"));
            out.add(new BatchCompleted(env(id, p, seq[0]++, t), b, input, outTokens, ttft, decode, ttft + decode,
                    false, Map.of("length", 4)));
            inputTotal += input;
            outputTotal += outTokens;
        }
        out.add(new MemorySample(env(id, p, seq[0]++, t), gpu, 3L << 30, 4L << 30, 80L << 30));
        out.add(new FlopsEstimate(env(id, p, seq[0]++, t), "parameter", null, 2.0e9 * (inputTotal + outputTotal),
                1.0e9 * (inputTotal + outputTotal), inputTotal + outputTotal, Map.of()));
        out.add(new EnergyReading(env(id, p, seq[0]++, t), gpu, "counter", "run", 100.0 + 10 * p + batches,
                t - start, null, "nvml"));
        out.add(new EnergyReading(env(id, p, seq[0]++, t), cpu, "model", "run", 20.0 + p, t - start, null,
                "cpu-model"));
        long last = seq[0];
        out.add(new ProcessCompleted(env(id, p, last, t), last, batches, inputTotal, outputTotal, t - start));
        return out;
    }

    private static Envelope env(String id, int p, long seq, long offsetNanos) {
        String eventId = UUID.nameUUIDFromBytes((id + "/" + p + "/" + seq).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new Envelope(LemEvent.SCHEMA_VERSION, eventId, id, p, seq, "host-" + Math.max(p, 0),
                T0 + offsetNanos, offsetNanos);
    }

    /** An idempotent, acks=all producer of events (keys {@code experimentId/processIndex}). */
    public static KafkaProducer<String, LemEvent> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), LemEventSerde.serializer());
    }

    /** Sends the events in order and waits until Kafka acknowledged every one. */
    public static void send(String bootstrap, String topic, List<LemEvent> events) {
        try (KafkaProducer<String, LemEvent> producer = producer(bootstrap)) {
            send(producer, topic, events);
        }
    }

    public static void send(KafkaProducer<String, LemEvent> producer, String topic, List<LemEvent> events) {
        List<Future<?>> acks = new ArrayList<>();
        for (LemEvent e : events) {
            acks.add(producer.send(new ProducerRecord<>(topic, e.envelope().key(), e)));
        }
        producer.flush();
        for (Future<?> ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("event not acknowledged: " + e, e);
            }
        }
    }

    /** Writes raw bytes under a key (a poison record when the bytes are not an event). */
    public static void sendRaw(String bootstrap, String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("record not acknowledged: " + e, e);
        }
    }
}
