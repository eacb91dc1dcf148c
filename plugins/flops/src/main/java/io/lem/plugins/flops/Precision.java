package io.lem.plugins.flops;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Floating-point storage formats of weights and KV cache, named as in the config's {@code fp_precision}. */
public enum Precision {
    FLOAT32("float32", 4),
    FLOAT16("float16", 2),
    BFLOAT16("bfloat16", 2);

    private final String label;
    private final int bytes;

    Precision(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    public String label() {
        return label;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Parses {@code float32}/{@code fp32}, {@code float16}/{@code fp16}/{@code half}, {@code bfloat16}/{@code bf16}. */
    public static Precision parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "float32": case "fp32": case "float":
                return FLOAT32;
            case "float16": case "fp16": case "half":
                return FLOAT16;
            case "bfloat16": case "bf16":
                return BFLOAT16;
            default:
                throw new IllegalArgumentException("unknown precision '" + text + "'; known: "
                        + Arrays.stream(values()).map(Precision::label).collect(Collectors.joining(", ")));
        }
    }
}
