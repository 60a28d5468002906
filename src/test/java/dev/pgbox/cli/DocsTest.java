package dev.pgbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table and docs/errors.md are generated from, and checked against, the code. */
class DocsTest {
    @Test
    void readmeSettingsTableMatchesTheCatalogue() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("<!-- settings:begin -->\n") + "<!-- settings:begin -->\n".length(),
                readme.indexOf("<!-- settings:end -->"));
        assertThat(table).as("README table is stale: run bin/update-readme")
                .isEqualTo(ConfigCommand.markdownTable());
    }

    @Test
    void everyExitCodeIsDocumented() throws IOException {
        String errors = Files.readString(Path.of("docs/errors.md"));
        for (ErrorKind k : ErrorKind.values()) {
            assertThat(errors).contains("## " + k.exitCode() + ": ");
        }
    }

    @Test
    void readmeStartsWithTheTwoCommandsAndCiRunsTheTestOne() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(readme).contains("./pgbox start ", "./bin/test ");
        assertThat(Files.readString(Path.of(".ci/run"))).contains("exec ./bin/test\n");
    }
}
