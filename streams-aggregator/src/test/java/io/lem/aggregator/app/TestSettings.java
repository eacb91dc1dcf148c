package io.lem.aggregator.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Aggregator settings for tests: free HTTP port, quick commits, a short session so a dead member leaves quickly. */
public final class TestSettings {
    /** The broker's minimum session timeout: a crashed instance's partitions move after this long. */
    public static final Map<String, String> FAST_GROUP = Map.of("session.timeout.ms", "6000",
            "heartbeat.interval.ms", "1000");

    private TestSettings() {
    }

    /** A shorter session (the broker must allow it: {@code group.min.session.timeout.ms}). */
    public static AggregatorSettings withSessionTimeout(AggregatorSettings settings, int millis) {
        return settings.withClientProperties(Map.of("session.timeout.ms", Integer.toString(millis),
                "heartbeat.interval.ms", Integer.toString(Math.max(100, millis / 4))));
    }

    public static AggregatorSettings of(String bootstrap, String applicationId, Path stateDir, String eventsTopic,
                                        String deadLetterTopic) {
        return AggregatorSettings.defaults(bootstrap)
                .withApplicationId(applicationId)
                .withStateDir(stateDir)
                .withNativeLibraryDir(stateDir.toAbsolutePath().resolveSibling("native"))
                .withBind("127.0.0.1", 0)
                .withTopics(eventsTopic, deadLetterTopic)
                .withCommitInterval(Duration.ofMillis(100))
                .withClientProperties(FAST_GROUP)
                .withStartTimeout(Duration.ofSeconds(60))
                .withCloseTimeout(Duration.ofSeconds(20));
    }
}
