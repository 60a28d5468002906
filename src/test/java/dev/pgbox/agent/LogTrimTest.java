package dev.pgbox.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTrimTest {
    @TempDir
    Path dir;

    private final List<String> said = new ArrayList<>();

    @Test
    void aLogPastTheLimitKeepsItsLinesInDotOneAndItsWriterGoesOnAtTheNewEnd() throws IOException {
        Path log = dir.resolve("pgbouncer.log");
        // opened once with O_APPEND and kept open, like PgBouncer's standard error
        try (OutputStream writer = new FileOutputStream(log.toFile(), true)) {
            writer.write("x".repeat(2000).getBytes(StandardCharsets.US_ASCII));
            writer.flush();
            List<Path> done = new LogTrim(dir, 1000, said::add).run();
            assertThat(done).containsExactly(log);
            writer.write("after\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(Files.readString(log)).isEqualTo("after\n"); // no hole of zeros before it: the writer appends
        Path old = dir.resolve("pgbouncer.log.1");
        assertThat(Files.size(old)).isEqualTo(2000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(old))).isEqualTo("rw-------");
        assertThat(said).singleElement().asString().contains("pgbouncer.log", "pgbouncer.log.1");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("pgbouncer.log", "pgbouncer.log.1");
        }
    }

    @Test
    void smallLogsPostgresqlsOwnFilesAndOtherNamesAreLeftAlone() throws IOException {
        Files.writeString(dir.resolve("agent.log"), "short\n");
        Files.writeString(dir.resolve("postgresql-Mon.log"), "y".repeat(5000));
        Files.writeString(dir.resolve("notes.txt"), "z".repeat(5000));
        assertThat(new LogTrim(dir, 1000, said::add).run()).isEmpty();
        assertThat(Files.size(dir.resolve("postgresql-Mon.log"))).isEqualTo(5000);
        assertThat(Files.size(dir.resolve("notes.txt"))).isEqualTo(5000);
        assertThat(said).isEmpty();
    }

    @Test
    void pgBackRestsLogsAreTurnedOverAndAnOlderCopyIsReplaced() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("pgbackrest"));
        Path log = sub.resolve("main-archive-push-async.log");
        Files.writeString(sub.resolve("main-archive-push-async.log.1"), "the copy before\n");
        Files.writeString(log, "w".repeat(3000));
        assertThat(new LogTrim(dir, 1000, said::add).run()).containsExactly(log);
        assertThat(Files.size(log)).isZero();
        assertThat(Files.readString(sub.resolve("main-archive-push-async.log.1"))).isEqualTo("w".repeat(3000));
    }

    @Test
    void aMissingFolderIsNoError() {
        assertThat(new LogTrim(dir.resolve("gone"), 1000, said::add).run()).isEmpty();
        assertThat(said).isEmpty();
    }
}
