package io.lem.aggregator.app;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApplicationIdsTest {

    @Test
    void replayIdsHaveTheDocumentedForm() {
        Clock clock = Clock.fixed(Instant.parse("2025-03-04T05:06:07Z"), ZoneOffset.UTC);
        String id = ApplicationIds.newReplayId(clock, new Random(1));
        assertThat(id).startsWith("lem-replay.20250304050607.").hasSize(ApplicationIds.REPLAY_ID_LENGTH);
        assertThat(ApplicationIds.isReplayId(id)).isTrue();
        assertThat(ApplicationIds.isReplayId(ApplicationIds.LIVE_DEFAULT)).isFalse();
        assertThat(ApplicationIds.isReplayId(ApplicationIds.newReplayId())).isTrue();
    }

    /** The rule: no aggregator application id is a prefix of another, so resetting one by prefix spares the rest. */
    @Test
    void noIdIsAPrefixOfAnother() {
        List<String> ids = new ArrayList<>(List.of(ApplicationIds.LIVE_DEFAULT, "lem-aggregator.prod", "team-x"));
        Random random = new Random(42);
        Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        // same second, many replays: only the random part differs
        for (int i = 0; i < 200; i++) {
            ids.add(ApplicationIds.newReplayId(clock, random));
        }
        ids.add(ApplicationIds.newReplayId());
        Set<String> unique = new HashSet<>(ids);
        assertThat(unique).hasSize(ids.size());
        for (String a : ids) {
            for (String b : ids) {
                if (a != b && !a.equals("lem-aggregator.prod") && !b.equals("lem-aggregator.prod")) {
                    assertThat(a.startsWith(b)).as("%s starts with %s", a, b).isFalse();
                    // what StreamsResetter matches: the internal topics of b start with "<b>-"
                    assertThat((a + "-store-changelog").startsWith(b + "-")).isFalse();
                }
            }
        }
        // a live id of the form lem-aggregator<suffix> would be one: conflicts() finds it
        assertThat(ApplicationIds.conflicts("lem-aggregator", List.of("lem-aggregator.prod", "team-x")))
                .containsExactly("lem-aggregator.prod");
        assertThat(ApplicationIds.conflicts(ApplicationIds.newReplayId(), List.of("lem-aggregator", "lem")))
                .containsExactly("lem");
    }

    @Test
    void liveIdsMustNotPrefixReplays() {
        assertThat(ApplicationIds.validateLive("lem-aggregator")).isEqualTo("lem-aggregator");
        assertThat(ApplicationIds.validateLive("prod.lem")).isEqualTo("prod.lem");
        for (String bad : List.of("lem", "lem-", "lem-re", "lem-replay", "l")) {
            assertThatThrownBy(() -> ApplicationIds.validateLive(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
        }
        assertThatThrownBy(() -> ApplicationIds.validateLive("lem-replay.20250101000000.00000000"))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> ApplicationIds.validateLive("has space")).hasMessageContaining("only contain");
    }
}
