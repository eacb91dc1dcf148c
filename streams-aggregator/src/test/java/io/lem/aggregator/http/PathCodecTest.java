package io.lem.aggregator.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathCodecTest {

    @Test
    void idsWithSlashesAndUnicodeSurviveARoundTrip() {
        for (String id : List.of("exp-1", "team/run 7", "a+b", "größe%", "x.y_z~")) {
            String path = "/experiments/" + PathCodec.encodeSegment(id) + "/processes/3";
            assertThat(PathCodec.segments(path)).containsExactly("experiments", id, "processes", "3");
        }
        assertThat(PathCodec.encodeSegment("team/run 7")).isEqualTo("team%2Frun%207");
    }

    @Test
    void emptySegmentsAreDroppedAndBrokenEscapesRejected() {
        assertThat(PathCodec.segments("//experiments//")).containsExactly("experiments");
        assertThat(PathCodec.segments("/")).isEmpty();
        assertThatThrownBy(() -> PathCodec.segments("/experiments/%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathCodec.segments("/experiments/%4")).isInstanceOf(IllegalArgumentException.class);
    }
}
