package dev.pgbox.schema.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintTargetsTest {
    @TempDir
    Path project;

    @Test
    void aFolderIsItsUpFilesInOrderThenItsDownFilesAndAnAppOnlyItsUpFiles() throws Exception {
        Path dir = Files.createDirectories(project.resolve("migrations/shop"));
        Files.writeString(dir.resolve("002_b.up.sql"), "SELECT 2;");
        Files.writeString(dir.resolve("001_a.down.sql"), "SELECT -1;");
        Files.writeString(dir.resolve("001_a.up.sql"), "SELECT 1;");
        Files.writeString(dir.resolve("notes.txt"), "not sql");
        LintTargets folder = LintTargets.resolve(project, dir.toString());
        assertThat(folder.sources()).extracting(SqlSource::name).containsExactly(dir.resolve("001_a.up.sql").toString(),
                dir.resolve("002_b.up.sql").toString(), dir.resolve("001_a.down.sql").toString());
        assertThat(folder.app()).isNull();
        LintTargets app = LintTargets.resolve(project, "shop");
        assertThat(app.sources()).extracting(SqlSource::name).containsExactly("migrations/shop/001_a.up.sql", "migrations/shop/002_b.up.sql");
        assertThat(app.sources().get(0).sql()).isEqualTo("SELECT 1;");
        assertThat(app.app().value()).isEqualTo("shop");
        LintTargets file = LintTargets.resolve(project, dir.resolve("001_a.down.sql").toString());
        assertThat(file.sources()).hasSize(1);
    }

    @Test
    void nothingToLintIsAUsageError() {
        assertThatThrownBy(() -> LintTargets.resolve(project, "shop")).isInstanceOfSatisfying(PgboxException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.USAGE));
        assertThatThrownBy(() -> LintTargets.resolve(project, project.resolve("missing.sql").toString()))
                .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.getMessage()).contains("no such file"));
        assertThatThrownBy(() -> LintTargets.resolve(project, project.toString())).isInstanceOfSatisfying(PgboxException.class,
                e -> assertThat(e.getMessage()).contains("no .sql files"));
    }
}
