package io.lem.cli.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code lem broker} as a real process, talks to it, and stops it the way Ctrl-C does (a signal). */
class BrokerCommandTest {

    private static final Pattern READY = Pattern.compile("Kafka broker ready at (\\S+) ");

    @TempDir
    Path dir;

    @Test
    void servesKafkaUntilSignalledThenStopsCleanlyAndKeepsItsData() throws Exception {
        Path data = dir.resolve("kafka");
        Path firstLog = dir.resolve("first.log");
        Process first = start(data, firstLog);
        String bootstrap = awaitReady(first, firstLog);
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        stopLikeCtrlC(first, firstLog);

        Path secondLog = dir.resolve("second.log");
        Process second = start(data, secondLog);
        String again = awaitReady(second, secondLog);
        try (Admin admin = admin(again)) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(topics).contains("kept");
        }
        stopLikeCtrlC(second, secondLog);
    }

    /** Output goes to a file: reading a pipe while the process exits can race inside the JDK. */
    private Process start(Path data, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.lem.cli.LemMain",
                "broker", "--data-dir", data.toString(), "--port", "0", "--controller-port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits for the ready line; fails with everything printed if the process ends first. */
    private static String awaitReady(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String printed = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = READY.matcher(printed);
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("lem broker exited with " + process.exitValue() + " before it was ready:\n"
                        + printed);
            }
            process.waitFor(50, TimeUnit.MILLISECONDS); // polls the condition; returns early if the process ends
        }
        process.destroyForcibly();
        throw new AssertionError("lem broker not ready within 90 s:\n" + Files.readString(log));
    }

    private static void stopLikeCtrlC(Process process, Path log) throws Exception {
        process.destroy(); // SIGTERM: the JVM runs the same shutdown hook as on SIGINT (Ctrl-C)
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited).as("broker exits after the signal").isTrue();
        assertThat(Files.readString(log)).contains("Kafka broker stopped.");
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
