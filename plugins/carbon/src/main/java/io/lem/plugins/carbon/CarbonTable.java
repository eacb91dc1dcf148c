package io.lem.plugins.carbon;

import io.lem.api.carbon.GridIntensity;
import io.lem.api.plugin.PluginContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An offline table of grid carbon intensity by region code. The built-in table ships in this jar
 * ({@code grid-intensity.csv}, sources in the module README); a user table in the same CSV format, named by the setting
 * {@value #SETTING}, adds regions and replaces built-in rows with the same code.
 *
 * <p>CSV format: a header line {@value #HEADER}, then one region per line. Blank lines and lines starting with
 * {@code #} are ignored; fields may be double-quoted to hold commas. Codes are matched case-insensitively and
 * {@code _} is read as {@code -}.
 */
public final class CarbonTable {

    /** Plugin setting naming a user CSV, e.g. {@code carbon.table=/etc/lem/grid.csv}. */
    public static final String SETTING = "carbon.table";
    public static final String HEADER = "region,name,g_co2e_per_kwh,source,year";

    private static final String BUILT_IN_RESOURCE = "grid-intensity.csv";
    private static final String BUILT_IN_NAME = "built-in grid-intensity.csv";
    private static final Pattern CODE = Pattern.compile("[A-Z0-9]+(-[A-Z0-9]+)*");
    // Plausibility bounds: the dirtiest grids are near 1,000 g/kWh; a value above this is a unit mistake (kg, lb/MWh).
    private static final double MAX_G_PER_KWH = 2000.0;

    private static volatile CarbonTable builtIn;

    private final Map<String, GridIntensity> byCode;
    private final String description;

    private CarbonTable(Map<String, GridIntensity> byCode, String description) {
        this.byCode = byCode;
        this.description = description;
    }

    /** The table shipped with lem; parsed once. */
    public static CarbonTable builtIn() {
        CarbonTable table = builtIn;
        if (table == null) {
            try (InputStream in = CarbonTable.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + BUILT_IN_RESOURCE + " missing from the carbon plugin jar");
                }
                table = parse(BUILT_IN_NAME, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            builtIn = table;
        }
        return table;
    }

    /**
     * The table a plugin context asks for: the built-in one, overridden by the CSV named in {@value #SETTING} if set.
     *
     * @throws CarbonTableFormatException when that CSV is malformed (the message names file and line)
     * @throws IOException                when it cannot be read
     */
    public static CarbonTable forContext(PluginContext context) throws IOException {
        Optional<String> path = context.setting(SETTING).filter(s -> !s.isBlank());
        if (path.isEmpty()) {
            return builtIn();
        }
        return builtIn().overriddenBy(read(Path.of(path.get().trim())));
    }

    /** Reads a user table. */
    public static CarbonTable read(Path csv) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            return parse(csv.toString(), in);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(csv.toString(), null, SETTING + " names a file that does not exist");
        }
    }

    /** Parses CSV text; {@code sourceName} appears in error messages. */
    public static CarbonTable parse(String sourceName, BufferedReader in) throws IOException {
        Map<String, GridIntensity> rows = new LinkedHashMap<>();
        boolean headerSeen = false;
        int lineNumber = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            String trimmed = line.strip();
            if (lineNumber == 1 && trimmed.startsWith("\uFEFF")) {
                trimmed = trimmed.substring(1); // spreadsheet exports start with a byte-order mark
            }
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (!headerSeen) {
                String header = trimmed.replace(" ", "").toLowerCase(Locale.ROOT);
                if (!header.equals(HEADER)) {
                    throw new CarbonTableFormatException(sourceName, lineNumber,
                            "expected the header '" + HEADER + "', found '" + trimmed + "'");
                }
                headerSeen = true;
                continue;
            }
            GridIntensity row = parseRow(sourceName, lineNumber, trimmed);
            GridIntensity previous = rows.putIfAbsent(row.region(), row);
            if (previous != null) {
                throw new CarbonTableFormatException(sourceName, lineNumber,
                        "region " + row.region() + " appears twice");
            }
        }
        if (!headerSeen) {
            throw new CarbonTableFormatException(sourceName, Math.max(lineNumber, 1),
                    "no header line '" + HEADER + "' (the file is empty or only comments)");
        }
        return new CarbonTable(Collections.unmodifiableMap(rows), sourceName);
    }

    private static GridIntensity parseRow(String source, int line, String text) {
        List<String> fields;
        try {
            fields = CsvFields.split(text);
        } catch (IllegalArgumentException e) {
            throw new CarbonTableFormatException(source, line, e.getMessage());
        }
        if (fields.size() != 5) {
            throw new CarbonTableFormatException(source, line,
                    "expected 5 fields (" + HEADER + "), found " + fields.size());
        }
        String code = normalize(fields.get(0));
        if (!CODE.matcher(code).matches()) {
            throw new CarbonTableFormatException(source, line, "region code '" + fields.get(0)
                    + "' must be letters/digits, parts joined by '-', e.g. FR, US-CAL, WORLD");
        }
        String name = fields.get(1);
        if (name.isEmpty()) {
            throw new CarbonTableFormatException(source, line, "region " + code + " has an empty name");
        }
        double grams;
        try {
            grams = Double.parseDouble(fields.get(2));
        } catch (NumberFormatException e) {
            throw new CarbonTableFormatException(source, line, "g_co2e_per_kwh '" + fields.get(2) + "' is not a number");
        }
        if (!Double.isFinite(grams) || grams < 0 || grams > MAX_G_PER_KWH) {
            throw new CarbonTableFormatException(source, line, "g_co2e_per_kwh " + fields.get(2)
                    + " is outside 0.." + (int) MAX_G_PER_KWH + " (grams CO2e per kWh, not kg or lb/MWh)");
        }
        String dataset = fields.get(3);
        if (dataset.isEmpty()) {
            throw new CarbonTableFormatException(source, line, "region " + code + " has no source; name the dataset");
        }
        int year;
        try {
            year = Integer.parseInt(fields.get(4));
        } catch (NumberFormatException e) {
            throw new CarbonTableFormatException(source, line, "year '" + fields.get(4) + "' is not a whole number");
        }
        if (year < 1990 || year > 2100) {
            throw new CarbonTableFormatException(source, line, "year " + year + " is outside 1990..2100");
        }
        return new GridIntensity(code, name, grams, dataset, year);
    }

    /** Upper-case, trimmed, {@code _} read as {@code -}: {@code " us_cal "} becomes {@code US-CAL}. */
    static String normalize(String code) {
        return code.strip().toUpperCase(Locale.ROOT).replace('_', '-');
    }

    /** This table with {@code overrides}' rows added, replacing rows of the same code. */
    public CarbonTable overriddenBy(CarbonTable overrides) {
        Map<String, GridIntensity> merged = new LinkedHashMap<>(byCode);
        merged.putAll(overrides.byCode);
        return new CarbonTable(Collections.unmodifiableMap(merged), description + " + " + overrides.description);
    }

    /** The row of a code, case-insensitively; empty when unknown. */
    public Optional<GridIntensity> find(String code) {
        return code == null ? Optional.empty() : Optional.ofNullable(byCode.get(normalize(code)));
    }

    /**
     * The row of a code, or an {@link IllegalArgumentException} with a one-line message naming close matches and how to
     * list every region.
     */
    public GridIntensity require(String code) {
        Optional<GridIntensity> row = find(code);
        if (row.isPresent()) {
            return row.get();
        }
        String query = code == null ? "" : normalize(code);
        Set<GridIntensity> near = RegionSuggestions.near(query, byCode.values());
        String suggestion = near.isEmpty() ? "" : " did you mean "
                + near.stream().map(r -> r.region() + " (" + r.name() + ")").collect(Collectors.joining(", ")) + "?";
        throw new IllegalArgumentException("unknown carbon region '" + (code == null ? "" : code.strip()) + "';"
                + suggestion + " list all " + byCode.size() + " regions with 'lem plugins probe' or in"
                + " plugins/carbon/README.md, or add your own with " + SETTING + "=<file.csv>");
    }

    /** Every region, built-in order first, then added ones. */
    public List<GridIntensity> regions() {
        return List.copyOf(byCode.values());
    }

    public int size() {
        return byCode.size();
    }

    /** Where the rows came from, e.g. {@code built-in grid-intensity.csv + /etc/lem/grid.csv}. */
    public String description() {
        return description;
    }
}
