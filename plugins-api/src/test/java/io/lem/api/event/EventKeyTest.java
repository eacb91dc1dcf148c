package io.lem.api.event;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventKeyTest {
    @Test
    void roundTripsIncludingLauncherAndSlashesInIds() {
        assertThat(EventKey.parse(EventKey.of("exp_1", 3))).isEqualTo(new EventKey("exp_1", 3));
        assertThat(EventKey.parse("team/exp_1/-1")).isEqualTo(new EventKey("team/exp_1", -1));
    }

    @Test
    void badKeysNameTheExpectedShape() {
        assertThatThrownBy(() -> EventKey.parse("exp_1")).hasMessageContaining("<experimentId>/<processIndex>");
        assertThatThrownBy(() -> EventKey.parse("exp_1/x")).hasMessageContaining("integer process index");
    }
}
