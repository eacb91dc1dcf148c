package io.lem.cli;

import java.nio.file.Path;

/** Where lem keeps local state: system property {@code lem.home}, else {@code $LEM_HOME}, else {@code ~/.lem}. */
public final class LemHome {
    private LemHome() {
    }

    public static Path dir() {
        String property = System.getProperty("lem.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("LEM_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".lem");
    }

    /** Data directory of the local embedded Kafka broker. */
    public static Path kafkaDataDir() {
        return dir().resolve("kafka");
    }

    /** Where RocksDB's JNI library is kept for the aggregators lem starts, extracted once per RocksDB build. */
    public static Path nativeDir() {
        return dir().resolve("native");
    }

    /** Where runner processes spool events the broker has not acknowledged. */
    public static Path spoolDir() {
        return dir().resolve("spool");
    }
}
