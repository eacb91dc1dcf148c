package io.lem.aggregator.app;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one aggregator in its own JVM until the process is killed, for crash tests. Arguments: bootstrap servers,
 * application id, state dir, events topic, dead-letter topic, commit interval in ms, consumer session timeout in ms,
 * and a file to write the HTTP URL to once the aggregator is RUNNING.
 */
public final class AggregatorMain {
    private AggregatorMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: AggregatorMain <bootstrap> <appId> <stateDir> <eventsTopic> <dlqTopic> "
                    + "<commitMs> <sessionTimeoutMs> <urlFile>");
            System.exit(2);
        }
        AggregatorSettings settings = TestSettings.withSessionTimeout(
                TestSettings.of(args[0], args[1], Path.of(args[2]), args[3], args[4])
                        .withCommitInterval(Duration.ofMillis(Long.parseLong(args[5]))),
                Integer.parseInt(args[6]));
        AggregatorApp app = AggregatorApp.start(settings);
        Path urlFile = Path.of(args[7]);
        Path partial = urlFile.resolveSibling(urlFile.getFileName() + ".tmp");
        Files.writeString(partial, app.httpUrl().toString(), StandardCharsets.UTF_8);
        Files.move(partial, urlFile, StandardCopyOption.ATOMIC_MOVE);
        new CountDownLatch(1).await(); // until killed
    }
}
