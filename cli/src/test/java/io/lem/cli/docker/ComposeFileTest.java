package io.lem.cli.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lem.cli.CliRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs here, so the compose file is checked as data: its services, volumes and commands match the
 * README, and every lem command in it parses with the real CLI.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void servicesVolumesAndCommandsMatchTheReadme() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("kafka", "aggregator", "runner", "lem");
        assertThat(services.path("kafka").path("image").asText()).startsWith("apache/kafka:");
        assertThat(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .isEqualTo("broker,controller");
        assertThat(compose.path("volumes").has("kafka-data")).isTrue();
        assertThat(compose.path("volumes").has("aggregator-state")).isTrue();
        assertThat(services.path("runner").path("deploy").path("resources").path("reservations").path("devices")
                .get(0).path("capabilities").get(0).asText()).isEqualTo("gpu");
        assertThat(text(services.path("runner").path("volumes"))).contains("/home/app/.cache/huggingface",
                "./configs:/app/configs:ro", "./results:/app/results");

        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String name : names) {
            assertThat(readme).contains("| `" + name + "`");
        }
        assertThat(readme).contains("serve --bootstrap-servers kafka:19092 --bind 0.0.0.0:7070");
        assertThat(Files.exists(ROOT.resolve("Dockerfile"))).isTrue();
        assertThat(Files.exists(ROOT.resolve("env.example"))).isTrue();
    }

    @Test
    void everyLemCommandInTheComposeFileParses() throws Exception {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile())
                .path("services");
        for (String service : List.of("aggregator", "runner", "lem")) {
            List<String> args = new ArrayList<>();
            services.path(service).path("command").forEach(a -> args.add(a.asText()));
            if (!args.contains("--help")) {
                args.add("--help"); // parse the command and its options without running it
            }
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(service + ": " + run.err()).isZero();
        }
    }

    private static String text(JsonNode node) {
        return node.toString();
    }
}
