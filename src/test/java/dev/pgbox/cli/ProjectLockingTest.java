package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command is classified as changing the project (runs under the lock) or not, so none is forgotten. */
class ProjectLockingTest {
    private static void collect(CommandLine cmd, List<String> names) {
        names.add(cmd.getCommandSpec().qualifiedName());
        cmd.getSubcommands().values().forEach(c -> collect(c, names));
    }

    @Test
    void everyCommandIsEitherAChangerOrReadOnly() {
        List<String> names = new ArrayList<>();
        collect(new CommandLine(new PgboxCommand()), names);
        for (String n : names) {
            assertThat(ProjectLocking.CHANGERS.containsKey(n) ^ ProjectLocking.READ_ONLY.contains(n))
                    .as("%s must be in exactly one of ProjectLocking.CHANGERS and READ_ONLY", n).isTrue();
        }
        assertThat(names).containsAll(ProjectLocking.CHANGERS.keySet()).containsAll(ProjectLocking.READ_ONLY);
    }

    @Test
    void readOnlyUsesOfChangingCommandsTakeNoLock() {
        CommandLine cli = new CommandLine(new PgboxCommand());
        assertThat(changes(cli, "db", "backup", "--list")).isFalse();
        assertThat(changes(cli, "db", "backup", "--physical")).isTrue();
        assertThat(changes(cli, "db", "backup", "shop")).isTrue();
        assertThat(changes(cli, "tune", "--show")).isFalse();
        assertThat(changes(cli, "tune", "--apply")).isTrue();
        assertThat(changes(cli, "db", "verify")).isTrue();
        assertThat(changes(cli, "status")).isFalse();
    }

    private static boolean changes(CommandLine cli, String... args) {
        CommandLine.ParseResult pr = cli.parseArgs(args);
        while (pr.hasSubcommand()) {
            pr = pr.subcommand();
        }
        var test = ProjectLocking.CHANGERS.get(pr.commandSpec().qualifiedName());
        return test != null && test.test(pr);
    }
}
