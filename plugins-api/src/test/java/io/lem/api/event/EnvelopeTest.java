package io.lem.api.event;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeTest {

    @Test
    void eventIdsAreVersion4UuidsAndUnique() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            Envelope envelope = Envelope.now("exp", 0, i, "h");
            UUID id = UUID.fromString(envelope.eventId());
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            ids.add(envelope.eventId());
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void wallClockIsNanosecondsSinceTheEpochAndKeyJoinsExperimentAndProcess() {
        Envelope envelope = Envelope.now("exp_1", 2, 0, "h");
        assertThat(envelope.timeEpochNanos()).isBetween(1_700_000_000_000_000_000L, 4_000_000_000_000_000_000L);
        assertThat(envelope.key()).isEqualTo("exp_1/2");
    }

    @Test
    void invalidEnvelopesAreNamed() {
        assertThatThrownBy(() -> Envelope.now(" ", 0, 0, "h")).hasMessage("experimentId must not be blank");
        assertThatThrownBy(() -> Envelope.now("e", 0, -1, "h")).hasMessage("seq must be >= 0, was -1");
        assertThatThrownBy(() -> Envelope.now("e", -2, 0, "h")).hasMessage("processIndex must be >= -1, was -2");
    }
}
