package io.lem.plugins.carbon;

import io.lem.api.carbon.GridIntensity;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Close matches for a region code nobody knows, so the error can say "did you mean FR (France)?". */
final class RegionSuggestions {

    private static final int MAX = 5;

    private RegionSuggestions() {
    }

    /** Up to five regions: shared code prefix first, then names containing the query, then codes one edit away. */
    static Set<GridIntensity> near(String normalizedQuery, Collection<GridIntensity> regions) {
        Set<GridIntensity> found = new LinkedHashSet<>();
        for (GridIntensity r : regions) {
            String code = r.region();
            // "FRA" -> FR, "US-CAL" -> US: ISO alpha-3 codes and unknown sub-regions are the usual mistakes
            if (normalizedQuery.startsWith(code) || code.startsWith(normalizedQuery)) {
                found.add(r);
            }
        }
        if (normalizedQuery.length() >= 3) {
            String lower = normalizedQuery.toLowerCase(Locale.ROOT);
            for (GridIntensity r : regions) {
                if (r.name().toLowerCase(Locale.ROOT).contains(lower)) {
                    found.add(r);
                }
            }
        }
        for (GridIntensity r : regions) {
            if (editDistance(normalizedQuery, r.region()) == 1) {
                found.add(r);
            }
        }
        return found.stream().limit(MAX).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Levenshtein distance; codes are a few characters, so the quadratic table is fine. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
