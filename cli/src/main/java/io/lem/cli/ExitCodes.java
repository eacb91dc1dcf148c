package io.lem.cli;

/** Exit codes of every lem command, listed in the help of the root command. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command ran but failed: a process failed, a broker was unreachable, data is incomplete. */
    public static final int FAILED = 1;
    /** Invalid input: an unknown flag, a bad value, an invalid config file. Nothing was started. */
    public static final int INVALID_INPUT = 2;
    /** Interrupted (Ctrl-C) before completion; what was measured is kept. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
