package io.lem.runner.generate;

import java.util.Locale;

/** Why a sequence stopped: it produced an end-of-sequence token, or it reached {@code max_output_tokens}. */
public enum FinishReason {
    EOS,
    LENGTH;

    /** {@code eos} or {@code length}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
