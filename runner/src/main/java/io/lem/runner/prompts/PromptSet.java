package io.lem.runner.prompts;

import io.lem.runner.config.PromptSource;
import io.lem.runner.config.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The prompts of an experiment, in order. Loaded from the config's {@code prompts} ({@link #load}), cut to
 * {@code num_input_prompts} ({@link #first}), and split between processes ({@link #shard}).
 *
 * <h2>Sources</h2>
 * A file (text or JSONL, see {@link PromptFormat}), or a set built into lem ({@code prompts.builtin: <name>}; see
 * {@link #builtinNames()}). Without a {@code prompts} section the built-in set of the {@code task_type} is used
 * ({@link #defaultFor}): for text generation {@value #DEFAULT_BUILTIN}, 112 prompts written for lem (short
 * instructions, questions, story openings, code requests, paragraphs to summarise, translations), from a few words to
 * a paragraph long; for summarisation {@value #SUMMARISATION_BUILTIN}, 24 news-style paragraphs of 60 to 90 words;
 * for translation {@value #TRANSLATION_BUILTIN}, 40 everyday English sentences. All were written for lem. The task's
 * input template (e.g. T5's {@code summarize: } prefix) is applied later, by {@link InputTemplate}.
 *
 * <h2>{@code num_input_prompts}</h2>
 * The first N prompts of the source, in source order. When the source holds fewer than N, every prompt is used and a
 * WARN says so; it is not an error, so that one config can run against a smaller prompt file.
 *
 * <h2>Sharding</h2>
 * Process {@code i} of {@code n} gets prompts {@code i, i+n, i+2n, ...} (round-robin on the prompt index): every prompt
 * runs in exactly one process, the split does not depend on anything but {@code i}, {@code n} and the list, and the
 * shards differ in size by at most one prompt (with more processes than prompts, some processes get none). Prompts
 * keep their experiment-wide {@link Prompt#index()}.
 */
public final class PromptSet {

    /** The built-in set used when the config names no prompts. */
    public static final String DEFAULT_BUILTIN = "default";

    /** The built-in documents to summarise, the default for {@code task_type: summarisation}. */
    public static final String SUMMARISATION_BUILTIN = "summarisation";

    /** The built-in English sentences to translate, the default for {@code task_type: translation}. */
    public static final String TRANSLATION_BUILTIN = "translation";

    private static final List<String> BUILTINS = List.of(DEFAULT_BUILTIN, SUMMARISATION_BUILTIN,
            TRANSLATION_BUILTIN);
    private static final String RESOURCE_DIR = "/io/lem/runner/prompts/";
    private static final Logger log = LoggerFactory.getLogger(PromptSet.class);

    private final String origin;
    private final List<String> texts;

    private PromptSet(String origin, List<String> texts) {
        this.origin = Objects.requireNonNull(origin, "origin");
        this.texts = List.copyOf(texts);
    }

    /** Given prompts, e.g. for tests or an embedding application; {@code origin} names them in messages. */
    public static PromptSet of(String origin, List<String> texts) {
        for (String t : texts) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("prompts must not be blank");
            }
        }
        return new PromptSet(origin, texts);
    }

    /** The prompts the config names; {@code null} (no {@code prompts} section) is the built-in default set. */
    public static PromptSet load(PromptSource source) {
        return load(source, TaskType.TEXT_GENERATION);
    }

    /** The prompts the config names; {@code null} (no {@code prompts} section) is the task's built-in set. */
    public static PromptSet load(PromptSource source, TaskType task) {
        if (source == null) {
            return builtin(defaultFor(task));
        }
        return source.file() != null ? fromFile(source.file()) : builtin(source.builtin());
    }

    /** The built-in set used for a task when the config names no prompts. */
    public static String defaultFor(TaskType task) {
        switch (task) {
            case SUMMARISATION:
                return SUMMARISATION_BUILTIN;
            case TRANSLATION:
                return TRANSLATION_BUILTIN;
            default:
                return DEFAULT_BUILTIN;
        }
    }

    /**
     * The prompts of a text or JSONL file (UTF-8).
     *
     * @throws PromptException missing, unreadable or malformed file, or a file without prompts
     */
    public static PromptSet fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new PromptException(file + ": is a directory, not a prompts file");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PromptException(file + ": no such prompts file");
        } catch (AccessDeniedException e) {
            throw new PromptException(file + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new PromptException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new PromptException(file + ": cannot read: " + e.getMessage(), e);
        }
        String where = file.toString();
        List<String> prompts = PromptFiles.parse(where, lines, PromptFormat.detect(file, lines));
        if (prompts.isEmpty()) {
            throw new PromptException(where + ": no prompts in the file (blank lines are skipped)");
        }
        return new PromptSet(where, prompts);
    }

    /** Names of the built-in prompt sets. */
    public static List<String> builtinNames() {
        return BUILTINS;
    }

    /**
     * A built-in prompt set.
     *
     * @throws PromptException an unknown name, listing the known ones
     */
    public static PromptSet builtin(String name) {
        if (name == null || !BUILTINS.contains(name)) {
            throw new PromptException("unknown built-in prompt set '" + name + "'; known: "
                    + String.join(", ", BUILTINS));
        }
        String resource = RESOURCE_DIR + name + ".jsonl";
        List<String> lines = new ArrayList<>();
        try (InputStream in = PromptSet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("built-in prompt set " + resource + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in prompt set " + resource, e);
        }
        return new PromptSet("builtin:" + name, PromptFiles.parse("builtin:" + name, lines, PromptFormat.JSONL));
    }

    /** Where the prompts came from: a file path or {@code builtin:<name>}. */
    public String origin() {
        return origin;
    }

    /** The prompt texts, in order. */
    public List<String> texts() {
        return texts;
    }

    public int size() {
        return texts.size();
    }

    /** Every prompt with its index. */
    public List<Prompt> prompts() {
        List<Prompt> all = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            all.add(new Prompt(i, texts.get(i)));
        }
        return all;
    }

    /**
     * The first {@code n} prompts ({@code num_input_prompts}); {@code null} keeps all. Asking for more than there are
     * keeps all of them and logs a WARN.
     */
    public PromptSet first(Integer n) {
        if (n == null) {
            return this;
        }
        if (n < 1) {
            throw new IllegalArgumentException("num_input_prompts must be >= 1, was " + n);
        }
        if (n > texts.size()) {
            log.warn("num_input_prompts is {} but {} holds only {} prompts: running all {}", n, origin, texts.size(),
                    texts.size());
            return this;
        }
        return n == texts.size() ? this : new PromptSet(origin, texts.subList(0, n));
    }

    /** This set's share for process {@code processIndex} of {@code numProcesses}: see the class comment. */
    public List<Prompt> shard(int processIndex, int numProcesses) {
        return shard(prompts(), processIndex, numProcesses);
    }

    /** Round-robin: the prompts at list positions {@code processIndex, processIndex + numProcesses, ...}. */
    public static List<Prompt> shard(List<Prompt> prompts, int processIndex, int numProcesses) {
        if (numProcesses < 1) {
            throw new IllegalArgumentException("numProcesses must be >= 1, was " + numProcesses);
        }
        if (processIndex < 0 || processIndex >= numProcesses) {
            throw new IllegalArgumentException("processIndex must be in [0, " + numProcesses + "), was "
                    + processIndex);
        }
        List<Prompt> shard = new ArrayList<>(prompts.size() / numProcesses + 1);
        for (int k = processIndex; k < prompts.size(); k += numProcesses) {
            shard.add(prompts.get(k));
        }
        return shard;
    }

    @Override
    public String toString() {
        return "PromptSet[" + origin + ", " + texts.size() + " prompts]";
    }
}
