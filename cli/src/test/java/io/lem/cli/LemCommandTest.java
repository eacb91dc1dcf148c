package io.lem.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LemCommandTest {

    @Test
    void versionNamesLemAndItsBuildVersion() {
        CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("lem 0.").doesNotContain("${project.version}").contains("Java 17");
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("config", "plugins", "broker", "events", "--verbose", "Exit codes:")
                .containsPattern("\\n  0\\s+success").containsPattern("\\n  1\\s+the command failed")
                .containsPattern("\\n  2\\s+invalid input").containsPattern("\\n  130\\s+interrupted");
    }

    @Test
    void unknownCommandIsOneLineWithSuggestionAndExitTwo() {
        CliRun run = CliRun.of("confg");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).startsWith("lem: Unmatched argument at index 0: 'confg'")
                .contains("Did you mean", "config").contains("Try 'lem --help'");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void unknownOptionOfASubcommandNamesTheSubcommand() {
        CliRun run = CliRun.of("broker", "--prot", "1");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).contains("Unknown option").contains("Try 'lem broker --help'");
    }
}
