package io.lem.aggregator.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): for each metric family one {@code # HELP} and one
 * {@code # TYPE} line, then its samples. Families appear in the order they are first added.
 */
public final class PrometheusText {
    private final Map<String, Family> families = new LinkedHashMap<>();

    private record Family(String help, String type, StringBuilder samples) {
    }

    /** Adds a gauge sample; {@code labels} alternate name, value. */
    public PrometheusText gauge(String name, String help, double value, String... labels) {
        return sample(name, help, "gauge", value, labels);
    }

    /** Adds a counter sample ({@code name} should end in {@code _total}). */
    public PrometheusText counter(String name, String help, double value, String... labels) {
        return sample(name, help, "counter", value, labels);
    }

    /** Declares a family without samples yet, so that HELP and TYPE appear even when no sample does. */
    public PrometheusText declare(String name, String help, String type) {
        families.computeIfAbsent(name, n -> new Family(help, type, new StringBuilder()));
        return this;
    }

    private PrometheusText sample(String name, String help, String type, double value, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels must be name/value pairs");
        }
        Family family = families.computeIfAbsent(name, n -> new Family(help, type, new StringBuilder()));
        StringBuilder line = family.samples().append(name);
        if (labels.length > 0) {
            line.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    line.append(',');
                }
                line.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
            }
            line.append('}');
        }
        line.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** The exposition text. */
    public String render() {
        StringBuilder out = new StringBuilder();
        families.forEach((name, f) -> {
            out.append("# HELP ").append(name).append(' ').append(escapeHelp(f.help())).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(f.type()).append('\n');
            out.append(f.samples());
        });
        return out.toString();
    }

    /** Names of the families added, in order. */
    public List<String> names() {
        return List.copyOf(families.keySet());
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
