package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** 'pgbox completion bash' prints a valid bash script covering the commands; the version line's forms. */
class CompletionAndVersionTest {
    @TempDir
    Path dir;

    private static String run(String... args) {
        CommandLine cli = new CommandLine(new PgboxCommand());
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).isZero();
        return out.toString();
    }

    @Test
    void bashCompletionNamesTheCommandsAndIsValidBash() throws IOException, InterruptedException {
        String script = run("completion", "bash");
        assertThat(script).contains("complete -F").contains("pgbox");
        for (String command : new String[] {"init", "start", "status", "db", "backup", "restore", "app", "completion"}) {
            assertThat(script).containsPattern("\\b" + command + "\\b");
        }
        assertThat(script).contains("--project");
        Path file = dir.resolve("pgbox-completion.bash");
        Files.writeString(file, script);
        Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(new String(bash.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void anUnknownShellIsAUsageError() {
        CommandLine cli = new CommandLine(new PgboxCommand());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute("completion", "fish")).isEqualTo(2);
    }

    @Test
    void versionLineShowsTheCommitAndWhetherTheTreeWasDirty() {
        Properties p = new Properties();
        p.setProperty("version", "0.1.0");
        p.setProperty("commit", "1a2b3c4");
        p.setProperty("dirty", "false");
        assertThat(BuildVersion.line(p)).isEqualTo("pgbox 0.1.0 (1a2b3c4)");
        p.setProperty("dirty", "true");
        assertThat(BuildVersion.line(p)).isEqualTo("pgbox 0.1.0 (1a2b3c4, dirty)");
    }

    @Test
    void aBuildWithoutGitSaysUnknown() {
        Properties p = new Properties();
        p.setProperty("version", "0.1.0");
        p.setProperty("commit", "${git.commit.id.abbrev}");
        p.setProperty("dirty", "${git.dirty}");
        assertThat(BuildVersion.line(p)).isEqualTo("pgbox 0.1.0 (unknown)");
        assertThat(BuildVersion.line(new Properties())).isEqualTo("pgbox unknown (unknown)");
    }
}
