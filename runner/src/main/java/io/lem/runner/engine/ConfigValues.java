package io.lem.runner.engine;

import java.util.List;
import java.util.Map;

/**
 * Typed reads of a parsed HuggingFace {@code config.json} ({@code Map<String,Object>} as Jackson produces it:
 * numbers may be Integer, Long or Double; absent and JSON {@code null} are treated alike). Errors name the key.
 */
public final class ConfigValues {

    private final Map<String, Object> config;

    public ConfigValues(Map<String, Object> config) {
        this.config = config;
    }

    public Map<String, Object> map() {
        return config;
    }

    public boolean has(String key) {
        return config.get(key) != null;
    }

    public String string(String key, String fallback) {
        Object v = config.get(key);
        return v == null ? fallback : v.toString();
    }

    public int requireInt(String key) {
        Object v = config.get(key);
        if (v == null) {
            throw new EngineException("config.json has no '" + key + "'");
        }
        return toInt(key, v);
    }

    public int integer(String key, int fallback) {
        Object v = config.get(key);
        return v == null ? fallback : toInt(key, v);
    }

    /** The first of {@code keys} that is present (HF configs use aliases such as n_embd / hidden_size). */
    public int requireInt(String... keys) {
        for (String key : keys) {
            if (has(key)) {
                return requireInt(key);
            }
        }
        throw new EngineException("config.json has none of " + List.of(keys));
    }

    public double decimal(String key, double fallback) {
        Object v = config.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new EngineException("config.json '" + key + "' is not a number: " + v);
        }
    }

    public boolean flag(String key, boolean fallback) {
        Object v = config.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return Boolean.parseBoolean(v.toString());
    }

    /** A nested object such as {@code rope_scaling}; null when absent. */
    @SuppressWarnings("unchecked")
    public ConfigValues object(String key) {
        Object v = config.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            return new ConfigValues((Map<String, Object>) m);
        }
        throw new EngineException("config.json '" + key + "' is not an object: " + v);
    }

    private static int toInt(String key, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
                throw new EngineException("config.json '" + key + "' is not an integer: " + v);
            }
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new EngineException("config.json '" + key + "' is not an integer: " + v);
        }
    }
}
