package io.lem.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BrokerSettingsTest {

    private final Path dir = Path.of("build", "kafka");

    @Test
    void defaultsPickPortsOnLoopbackWithOnePartition() {
        BrokerSettings s = BrokerSettings.defaults(dir);
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isZero();
        assertThat(s.controllerPort()).isZero();
        assertThat(s.partitions()).isEqualTo(1);
        assertThat(s.overrides()).isEmpty();
        assertThat(s.dataDir()).isAbsolute().isEqualTo(dir.toAbsolutePath());
    }

    @Test
    void withersChangeOneThing() {
        BrokerSettings s = BrokerSettings.defaults(dir).withPort(9092).withControllerPort(9093).withPartitions(6)
                .withHost("localhost").withOverride("a", "1").withOverride("b", "2").withOverride("a", "3");
        assertThat(s).isEqualTo(new BrokerSettings(dir, "localhost", 9092, 9093, 6, Map.of("a", "3", "b", "2")));
        assertThat(s.withOverrides(Map.of()).overrides()).isEmpty();
    }

    @Test
    void overridesAreCopied() {
        Map<String, String> overrides = new HashMap<>(Map.of("a", "1"));
        BrokerSettings s = BrokerSettings.defaults(dir).withOverrides(overrides);
        overrides.put("b", "2");
        assertThat(s.overrides()).containsOnlyKeys("a");
        assertThatThrownBy(() -> s.overrides().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nonsenseIsRefused() {
        BrokerSettings s = BrokerSettings.defaults(dir);
        assertThatThrownBy(() -> s.withPort(70000)).hasMessageContaining("port");
        assertThatThrownBy(() -> s.withControllerPort(-1)).hasMessageContaining("controllerPort");
        assertThatThrownBy(() -> s.withPort(9092).withControllerPort(9092)).hasMessageContaining("differ");
        assertThatThrownBy(() -> s.withPartitions(0)).hasMessageContaining("partitions");
        assertThatThrownBy(() -> s.withHost(" ")).hasMessageContaining("host");
        assertThatThrownBy(() -> BrokerSettings.defaults(null)).isInstanceOf(NullPointerException.class);
    }
}
