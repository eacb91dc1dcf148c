package io.lem.plugins.carbon;

import java.util.ArrayList;
import java.util.List;

/** Splits one CSV line into fields: commas separate, double quotes protect commas, {@code ""} is a literal quote. */
final class CsvFields {

    private CsvFields() {
    }

    /** The fields of {@code line}, trimmed; throws {@link IllegalArgumentException} on an unterminated quote. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString().trim());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated double quote");
        }
        fields.add(field.toString().trim());
        return fields;
    }
}
