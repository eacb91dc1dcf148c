package io.lem.cli.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
        String bootstrap;
        Process first = start(data);
        try (BufferedReader out = reader(first)) {
            bootstrap = awaitReady(out);
            try (Admin admin = admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            stopLikeCtrlC(first, out);
        }

        Process second = start(data);
        try (BufferedReader out = reader(second)) {
            String again = awaitReady(out);
            try (Admin admin = admin(again)) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(topics).contains("kept");
            }
            stopLikeCtrlC(second, out);
        }
    }

    private Process start(Path data) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.lem.cli.LemMain",
                "broker", "--data-dir", data.toString(), "--port", "0", "--controller-port", "0")
                .redirectErrorStream(true).start();
    }

    private static BufferedReader reader(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads lines until the ready line; fails with everything printed if the process ends first. */
    private static String awaitReady(BufferedReader out) throws Exception {
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    seen.append(line).append('\n');
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("lem broker exited before it was ready:\n" + seen);
        });
        return ready.get(90, TimeUnit.SECONDS);
    }

    private static void stopLikeCtrlC(Process process, BufferedReader out) throws Exception {
        process.destroy(); // SIGTERM: the JVM runs the same shutdown hook as on SIGINT (Ctrl-C)
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    seen.append(line).append('\n');
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return seen.toString();
        });
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("broker exits after the signal").isTrue();
        assertThat(rest.get(10, TimeUnit.SECONDS)).contains("Kafka broker stopped.");
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
