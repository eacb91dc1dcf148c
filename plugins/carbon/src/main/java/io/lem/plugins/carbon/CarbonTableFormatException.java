package io.lem.plugins.carbon;

/** A carbon table CSV that cannot be read; the message names the file and the 1-based line, e.g. {@code my.csv line 4: ...}. */
public final class CarbonTableFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;

    public CarbonTableFormatException(String source, int line, String problem) {
        super(source + " line " + line + ": " + problem);
        this.source = source;
        this.line = line;
    }

    /** The file (or resource) that was read. */
    public String source() {
        return source;
    }

    /** 1-based line number of the offending line. */
    public int line() {
        return line;
    }
}
