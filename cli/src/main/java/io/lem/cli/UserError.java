package io.lem.cli;

/**
 * A problem the user can fix (a bad file, flag or value): printed as one line without a stack trace, exit code
 * {@link ExitCodes#INVALID_INPUT} unless stated otherwise.
 */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public UserError(String message) {
        this(message, ExitCodes.INVALID_INPUT);
    }

    public UserError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
