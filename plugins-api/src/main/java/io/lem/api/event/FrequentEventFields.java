package io.lem.api.event;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Map;

/**
 * Writes the own fields of the events a runner sends most (per decode step, per batch, per sample) straight to the
 * generator that wrote the envelope: the bytes Jackson's record serializer writes for them (declaration order, nulls
 * left out; {@code EncoderEquivalenceTest} holds the two to the same bytes), without a second generator, buffer and
 * serializer tree per event. On a runner's event thread those were most of what it allocated (~14 MB in a 0.8 s
 * window of the quickstart's model) and a large part of what the JIT still compiled inside measured windows.
 */
final class FrequentEventFields {

    private FrequentEventFields() {
    }

    /** Writes {@code event}'s own fields and returns true, or returns false for a type left to Jackson. */
    static boolean write(LemEvent event, JsonGenerator g) throws IOException {
        if (event instanceof TokensGenerated e) {
            g.writeNumberField("batchIndex", e.batchIndex());
            g.writeNumberField("step", e.step());
            g.writeNumberField("tokenCount", e.tokenCount());
            g.writeNumberField("stepDurationNanos", e.stepDurationNanos());
        } else if (event instanceof PowerSample e) {
            string(g, "deviceKey", e.deviceKey());
            g.writeNumberField("powerWatts", e.powerWatts());
            string(g, "source", e.source());
        } else if (event instanceof BatchStarted e) {
            g.writeNumberField("batchIndex", e.batchIndex());
            g.writeNumberField("batchSize", e.batchSize());
            g.writeNumberField("inputTokens", e.inputTokens());
            g.writeNumberField("paddedInputTokens", e.paddedInputTokens());
            g.writeBooleanField("warmup", e.warmup());
        } else if (event instanceof PrefillCompleted e) {
            g.writeNumberField("batchIndex", e.batchIndex());
            g.writeNumberField("timeToFirstTokenNanos", e.timeToFirstTokenNanos());
            g.writeNumberField("inputTokens", e.inputTokens());
        } else if (event instanceof BatchCompleted e) {
            g.writeNumberField("batchIndex", e.batchIndex());
            g.writeNumberField("inputTokens", e.inputTokens());
            g.writeNumberField("outputTokens", e.outputTokens());
            g.writeNumberField("prefillDurationNanos", e.prefillDurationNanos());
            g.writeNumberField("decodeDurationNanos", e.decodeDurationNanos());
            g.writeNumberField("durationNanos", e.durationNanos());
            g.writeBooleanField("warmup", e.warmup());
            numbers(g, "finishReasons", e.finishReasons());
        } else if (event instanceof EnergyReading e) {
            string(g, "deviceKey", e.deviceKey());
            string(g, "method", e.method());
            string(g, "window", e.window());
            g.writeNumberField("energyJoules", e.energyJoules());
            g.writeNumberField("windowDurationNanos", e.windowDurationNanos());
            if (e.uncertaintyJoules() != null) {
                g.writeNumberField("uncertaintyJoules", e.uncertaintyJoules());
            }
            string(g, "source", e.source());
        } else if (event instanceof MemorySample e) {
            string(g, "deviceKey", e.deviceKey());
            g.writeNumberField("usedBytes", e.usedBytes());
            g.writeNumberField("peakBytes", e.peakBytes());
            if (e.totalBytes() != null) {
                g.writeNumberField("totalBytes", e.totalBytes());
            }
        } else if (event instanceof FlopsEstimate e) {
            string(g, "method", e.method());
            if (e.batchIndex() != null) {
                g.writeNumberField("batchIndex", e.batchIndex());
            }
            g.writeNumberField("flops", e.flops());
            g.writeNumberField("macs", e.macs());
            g.writeNumberField("tokens", e.tokens());
            numbers(g, "breakdown", e.breakdown());
        } else {
            return false;
        }
        return true;
    }

    /** A map of numbers as Jackson writes it: entries in the map's order, an Integer as an int, others as double. */
    private static void numbers(JsonGenerator g, String name, Map<String, ? extends Number> map) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, ? extends Number> entry : map.entrySet()) {
            if (entry.getValue() instanceof Integer i) {
                g.writeNumberField(entry.getKey(), i.intValue());
            } else {
                g.writeNumberField(entry.getKey(), entry.getValue().doubleValue());
            }
        }
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
