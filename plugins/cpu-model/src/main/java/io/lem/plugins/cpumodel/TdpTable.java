package io.lem.plugins.cpumodel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** CPU model name → TDP per socket, from {@code cpu-tdp.csv} (vendor spec sheets; see the file's header). */
final class TdpTable {

    static final String RESOURCE = "cpu-tdp.csv";

    /**
     * CodeCarbon's figure for a CPU missing from its table: 4 W per hardware thread ({@code DEFAULT_POWER_PER_CORE},
     * applied to threads, codecarbon/core/cpu.py).
     */
    static final double DEFAULT_WATTS_PER_THREAD = 4.0;

    private static final Pattern DECORATIONS = Pattern.compile(
            "\\(r\\)|\\(tm\\)|®|™|\\bintel\\b|\\bamd\\b|\\bcpu\\b|\\bprocessor\\b|\\bwith radeon graphics\\b"
                    + "|\\b\\d+-cores?\\b|\\b\\d+(st|nd|rd|th) gen\\b|@\\s*[\\d.]+\\s*ghz");

    record Entry(String model, double watts, int threads, String source) {
    }

    private final Map<String, Entry> byModel = new LinkedHashMap<>();
    private final Map<String, Entry> byNormalized = new LinkedHashMap<>();

    private TdpTable(List<Entry> entries) {
        for (Entry e : entries) {
            byModel.putIfAbsent(e.model(), e);
            byNormalized.putIfAbsent(normalize(e.model()), e);
        }
    }

    /** The table shipped in this jar. */
    static TdpTable load() {
        try (InputStream in = TdpTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .collect(Collectors.toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of CSV: {@code #} comments, a header, then {@code model,tdp_watts,threads,source}. */
    static TdpTable parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        boolean header = true;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (header) {
                header = false;
                continue;
            }
            String[] cols = line.split(",");
            if (cols.length != 4) {
                throw new IllegalArgumentException(RESOURCE + ": expected 4 columns: " + line);
            }
            entries.add(new Entry(cols[0].trim(), Double.parseDouble(cols[1].trim()), Integer.parseInt(cols[2].trim()),
                    cols[3].trim()));
        }
        return new TdpTable(entries);
    }

    int size() {
        return byModel.size();
    }

    /** The TDP of {@code modelName}, or empty when the table does not know it. */
    Optional<Tdp> find(String modelName) {
        Entry exact = byModel.get(modelName.trim());
        if (exact != null) {
            return Optional.of(tdp(exact, Tdp.Match.EXACT));
        }
        String normalized = normalize(modelName);
        Entry entry = byNormalized.get(normalized);
        if (entry == null) {
            entry = byTokens(normalized);
        }
        return Optional.ofNullable(entry).map(e -> tdp(e, Tdp.Match.NORMALIZED));
    }

    /** The table's TDP, else {@code wattsPerThread} × the package's hardware threads. */
    Tdp lookup(String modelName, int threadsPerPackage, double wattsPerThread) {
        return find(modelName).orElseGet(() -> new Tdp(wattsPerThread * threadsPerPackage, threadsPerPackage,
                Tdp.Match.FALLBACK, "'" + modelName + "' not in " + RESOURCE + ": " + wattsPerThread + " W × "
                + threadsPerPackage + " threads"));
    }

    /**
     * Lower case, without vendor decorations: {@code "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz"} →
     * {@code "xeon e5-2620 v3"}, {@code "AMD EPYC 7742 64-Core Processor"} → {@code "epyc 7742"}.
     */
    static String normalize(String modelName) {
        String s = DECORATIONS.matcher(modelName.toLowerCase(Locale.ROOT)).replaceAll(" ");
        return String.join(" ", s.trim().split("\\s+"));
    }

    /**
     * Looser match for names with extra words: every word of the entry appears in the name and the model numbers
     * (words with digits) are the same, so "E5-2620 v4" never matches a "E5-2620 v3" entry.
     */
    private Entry byTokens(String normalized) {
        Set<String> words = new HashSet<>(Arrays.asList(normalized.split(" ")));
        Set<String> numbers = withDigits(words);
        for (Map.Entry<String, Entry> candidate : byNormalized.entrySet()) {
            Set<String> entryWords = new HashSet<>(Arrays.asList(candidate.getKey().split(" ")));
            if (!numbers.isEmpty() && words.containsAll(entryWords) && withDigits(entryWords).equals(numbers)) {
                return candidate.getValue();
            }
        }
        return null;
    }

    private static Set<String> withDigits(Set<String> words) {
        return words.stream().filter(w -> w.chars().anyMatch(Character::isDigit)).collect(Collectors.toSet());
    }

    private static Tdp tdp(Entry e, Tdp.Match match) {
        return new Tdp(e.watts(), e.threads(), match, "table: " + e.model() + " (" + e.source() + ")");
    }
}
