package io.lem.runner.prompts;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lem.runner.config.PromptSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptSetTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aTextFileHasOnePromptPerLineAndSkipsBlankLines() throws IOException {
        Path file = write("prompts.txt", "\uFEFFFirst prompt\r\n\r\n   \n  Second, indented\t\nThird {not json}\n\n");

        PromptSet set = PromptSet.fromFile(file);

        assertThat(set.texts()).containsExactly("First prompt", "  Second, indented\t", "Third {not json}");
        assertThat(set.origin()).isEqualTo(file.toString());
        assertThat(set.prompts()).extracting(Prompt::index).containsExactly(0, 1, 2);
    }

    @Test
    void aJsonlFileHoldsOnePromptObjectPerLine() throws IOException {
        Path file = write("prompts.jsonl", "{\"prompt\": \"Translate into French:\\nGood morning\", \"id\": 7}\n"
                + "\n"
                + "  {\"prompt\":\"Write a \\\"haiku\\\" \u00e0 propos du th\u00e9\", \"tags\": [\"poem\"]}  \n");

        assertThat(PromptSet.fromFile(file).texts())
                .containsExactly("Translate into French:\nGood morning", "Write a \"haiku\" \u00e0 propos du th\u00e9");
    }

    @Test
    void theFormatOfOtherFileNamesIsChosenByContent() throws IOException {
        Path jsonl = write("prompts.data", "\n{\"prompt\": \"one\"}\n{\"prompt\": \"two\"}\n");
        Path text = write("prompts.data2", "{ this line merely starts with a brace\n{\"prompt\": \"two\"}\n");
        Path noExtension = write("prompts", "{\"other\": 1}\nplain\n");
        Path txtWithJson = write("looks-like-json.txt", "{\"prompt\": \"one\"}\n");

        assertThat(PromptFormat.detect(jsonl, Files.readAllLines(jsonl))).isEqualTo(PromptFormat.JSONL);
        assertThat(PromptSet.fromFile(jsonl).texts()).containsExactly("one", "two");
        assertThat(PromptSet.fromFile(text).texts())
                .containsExactly("{ this line merely starts with a brace", "{\"prompt\": \"two\"}");
        assertThat(PromptSet.fromFile(noExtension).texts()).containsExactly("{\"other\": 1}", "plain");
        assertThat(PromptSet.fromFile(txtWithJson).texts()).as(".txt is always text")
                .containsExactly("{\"prompt\": \"one\"}");
    }

    @Test
    void aBadJsonlLineFailsTheFileWithItsLineNumberOnOneLine() throws IOException {
        Path missing = write("a.jsonl", "{\"prompt\": \"ok\"}\n\n{\"text\": \"no prompt here\"}\n");
        Path number = write("b.jsonl", "{\"prompt\": 42}\n");
        Path broken = write("c.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": \"unterminated\n");
        Path array = write("d.jsonl", "[\"prompt\"]\n");
        Path blank = write("e.jsonl", "{\"prompt\": \"  \"}\n");

        assertThatThrownBy(() -> PromptSet.fromFile(missing)).isInstanceOf(PromptException.class)
                .hasMessageStartingWith(missing + ":3: no \"prompt\" field");
        assertThatThrownBy(() -> PromptSet.fromFile(number))
                .hasMessage(number + ":1: \"prompt\" must be a string, got a number");
        assertThatThrownBy(() -> PromptSet.fromFile(broken)).hasMessageStartingWith(broken + ":2: not valid JSON: ");
        assertThatThrownBy(() -> PromptSet.fromFile(array))
                .hasMessage(array + ":1: expected a JSON object with a string \"prompt\" field, got an array");
        assertThatThrownBy(() -> PromptSet.fromFile(blank)).hasMessage(blank + ":1: \"prompt\" is blank");
        for (Path p : List.of(missing, number, broken, array, blank)) {
            assertThatThrownBy(() -> PromptSet.fromFile(p)).satisfies(e -> assertThat(e.getMessage())
                    .doesNotContain("\n").doesNotContain("\r"));
        }
    }

    @Test
    void missingEmptyAndUnreadableFilesSayWhatIsWrong() throws IOException {
        Path absent = dir.resolve("absent.txt");
        Path empty = write("empty.txt", "\n  \n");
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[]{'c', 'a', 'f', (byte) 0xE9, '\n'});

        assertThatThrownBy(() -> PromptSet.fromFile(absent)).isInstanceOf(PromptException.class)
                .hasMessage(absent + ": no such prompts file");
        assertThatThrownBy(() -> PromptSet.fromFile(empty))
                .hasMessage(empty + ": no prompts in the file (blank lines are skipped)");
        assertThatThrownBy(() -> PromptSet.fromFile(dir)).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> PromptSet.fromFile(latin1)).hasMessage(latin1 + ": not UTF-8 text");
    }

    @Test
    void theBuiltInDefaultSetHasAtLeastAHundredDistinctPrompts() {
        PromptSet set = PromptSet.builtin(PromptSet.DEFAULT_BUILTIN);

        assertThat(set.size()).isGreaterThanOrEqualTo(100);
        assertThat(set.texts()).allSatisfy(p -> assertThat(p).isNotBlank());
        assertThat(new HashSet<>(set.texts())).hasSize(set.size());
        assertThat(set.origin()).isEqualTo("builtin:default");
        // varied: single-line instructions and multi-line prompts (code, paragraphs), short and long
        assertThat(set.texts()).anySatisfy(p -> assertThat(p).contains("\n"));
        assertThat(set.texts()).anySatisfy(p -> assertThat(p.length()).isLessThan(60));
        assertThat(set.texts()).anySatisfy(p -> assertThat(p.length()).isGreaterThan(400));
        assertThat(set.texts()).anySatisfy(p -> assertThat(p).startsWith("Translate into"));

        assertThat(PromptSet.load(null).texts()).as("no prompts section: the default set").isEqualTo(set.texts());
        assertThat(PromptSet.load(PromptSource.ofBuiltin("default")).texts()).isEqualTo(set.texts());
        assertThat(PromptSet.builtinNames()).contains("default");
        assertThatThrownBy(() -> PromptSet.load(PromptSource.ofBuiltin("nope"))).isInstanceOf(PromptException.class)
                .hasMessage("unknown built-in prompt set 'nope'; known: default, summarisation, translation");
    }

    @Test
    void aFileSourceLoadsTheFile() throws IOException {
        Path file = write("p.txt", "a\nb\n");
        assertThat(PromptSet.load(PromptSource.ofFile(file)).texts()).containsExactly("a", "b");
    }

    @Test
    void numInputPromptsTakesTheFirstNAndWarnsWhenThereAreFewer() {
        PromptSet set = PromptSet.of("test", List.of("a", "b", "c", "d"));
        Logger logger = (Logger) LoggerFactory.getLogger(PromptSet.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            assertThat(set.first(null)).isSameAs(set);
            assertThat(set.first(2).texts()).containsExactly("a", "b");
            assertThat(set.first(4).texts()).containsExactly("a", "b", "c", "d");
            assertThat(appender.list).isEmpty();

            assertThat(set.first(10).texts()).containsExactly("a", "b", "c", "d");
            assertThat(appender.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage())
                        .isEqualTo("num_input_prompts is 10 but test holds only 4 prompts: running all 4");
            });
        } finally {
            logger.detachAppender(appender);
        }
        assertThatThrownBy(() -> set.first(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shardingIsRoundRobinAndCoversEveryPromptExactlyOnce() {
        for (int size = 0; size <= 23; size++) {
            List<String> texts = IntStream.range(0, size).mapToObj(i -> "prompt " + i).toList();
            PromptSet set = PromptSet.of("test", texts);
            for (int n = 1; n <= 7; n++) {
                List<Integer> seen = new ArrayList<>();
                int smallest = Integer.MAX_VALUE;
                int largest = 0;
                for (int i = 0; i < n; i++) {
                    List<Prompt> shard = set.shard(i, n);
                    assertThat(set.shard(i, n)).as("deterministic").isEqualTo(shard);
                    for (Prompt p : shard) {
                        assertThat(p.index() % n).as("prompt k goes to process k mod n").isEqualTo(i);
                        assertThat(p.text()).isEqualTo(texts.get(p.index()));
                        seen.add(p.index());
                    }
                    assertThat(shard).extracting(Prompt::index).isSorted();
                    smallest = Math.min(smallest, shard.size());
                    largest = Math.max(largest, shard.size());
                }
                assertThat(seen).as("size %d over %d processes", size, n).hasSize(size)
                        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, size).boxed().toList());
                assertThat(largest - smallest).isLessThanOrEqualTo(1);
            }
        }
        PromptSet set = PromptSet.of("test", List.of("a", "b", "c", "d", "e"));
        assertThat(set.shard(1, 2)).containsExactly(new Prompt(1, "b"), new Prompt(3, "d"));
        assertThat(set.shard(0, 1)).isEqualTo(set.prompts());
        assertThatThrownBy(() -> set.shard(2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.shard(-1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.shard(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultSetShardsAcrossProcessesWithoutLosingAPrompt() {
        PromptSet set = PromptSet.load(null).first(50);
        Set<String> union = new HashSet<>();
        int total = 0;
        for (int i = 0; i < 3; i++) {
            List<Prompt> shard = set.shard(i, 3);
            total += shard.size();
            shard.forEach(p -> union.add(p.text()));
        }
        assertThat(total).isEqualTo(50);
        assertThat(union).containsExactlyInAnyOrderElementsOf(set.texts());
    }
}
