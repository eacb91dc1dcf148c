package io.lem.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** Entry point: builds the command line, maps errors to one-line messages and exit codes. */
public final class LemMain {
    private LemMain() {
    }

    public static void main(String[] args) {
        int code = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
        System.exit(code);
    }

    /** The configured command line, writing to the given writers; tests call {@code execute} on it. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new LemCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(LemMain::onException);
        cli.setParameterExceptionHandler(LemMain::onBadParameter);
        return cli;
    }

    private static int onBadParameter(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("lem: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.INVALID_INPUT;
    }

    private static int onException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof UserError user) {
            err.println("lem: " + user.getMessage());
            err.flush();
            if (Verbosity.verbose()) {
                e.printStackTrace(err);
            }
            return user.exitCode();
        }
        if (e instanceof InterruptedException) {
            err.println("lem: interrupted");
            return ExitCodes.INTERRUPTED;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse(e.getClass().getSimpleName());
        err.println("lem: " + message + (Verbosity.verbose() ? "" : " (run with --verbose for details)"));
        if (Verbosity.verbose()) {
            e.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.FAILED;
    }
}
