package io.lem.runner.config;

import java.util.List;
import java.util.Locale;

/** Recognises config keys whose values are secrets, such as Kafka's {@code sasl.jaas.config}. */
final class SecretKeys {

    private static final List<String> MARKERS = List.of("password", "secret", "jaas", "token", "credential");

    private SecretKeys() {
    }

    static boolean looksSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        // ssl.keystore.key holds a PEM private key inline
        return lower.endsWith("keystore.key") || MARKERS.stream().anyMatch(lower::contains);
    }
}
