package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import io.lem.api.event.LemEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileEventSinkTest {
    @TempDir
    Path dir;

    @Test
    void writesOneDecodableEventPerLineAndAppendsOnReopen() throws Exception {
        Path file = dir.resolve("sub/run.jsonl");
        List<LemEvent> written = new ArrayList<>();
        try (FileEventSink sink = FileEventSink.open(file)) {
            EventEmitter emitter = new EventEmitter("exp", 0, "h", sink);
            for (int i = 0; i < 100; i++) {
                long n = i;
                written.add(emitter.emit(env -> TestEvents.mixed(env, n)));
            }
            sink.flush();
            assertThat(Files.readAllLines(file)).hasSize(100);
        }
        try (FileEventSink sink = FileEventSink.open(file)) {
            written.add(new EventEmitter("exp", 1, "h", sink).emit(env -> TestEvents.mixed(env, 0)));
        }

        EventCodec codec = new EventCodec();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(101);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(codec.decodeKnown(lines.get(i).getBytes())).isEqualTo(written.get(i));
        }
    }

    @Test
    void refusesEventsAfterClose() throws Exception {
        FileEventSink sink = FileEventSink.open(dir.resolve("x.jsonl"));
        sink.close();
        sink.close();
        sink.flush();
        assertThatThrownBy(() -> new EventEmitter("exp", 0, "h", sink).emit(env -> TestEvents.mixed(env, 0)))
                .isInstanceOf(IllegalStateException.class);
    }
}
