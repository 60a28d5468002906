package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBackRestConfTest {
    @TempDir
    Path dir;

    private String render() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_PORT=6543\n");
        Settings s = Settings.load(dir, null, Map.of());
        Layout l = new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"),
                "postgres", PgInstallation.of(15), false);
        return PgBackRestConf.render(s, l);
    }

    /** The lines of one [section], up to the next section. */
    private static List<String> section(String conf, String name) {
        List<String> lines = conf.lines().toList();
        int start = lines.indexOf("[" + name + "]");
        assertThat(start).as("section [%s] in\n%s", name, conf).isNotNegative();
        return lines.subList(start + 1, lines.size()).stream().takeWhile(line -> !line.startsWith("[")).filter(line -> !line.isBlank()).toList();
    }

    @Test
    void archivePushIsAsynchronousWithASpoolInTheProjectsBackupFolder() throws IOException {
        String conf = render();
        assertThat(section(conf, "global")).contains("spool-path=" + dir.resolve("st/backup/spool"));
        assertThat(section(conf, "global:archive-push")).contains("archive-async=y")
                .anyMatch(line -> line.startsWith("process-max="));
        // archive-get (restores, replicas, verify drills) stays synchronous: no async option outside archive-push
        assertThat(section(conf, "global")).noneMatch(line -> line.startsWith("archive-async"));
        assertThat(section(conf, "main")).noneMatch(line -> line.startsWith("archive-async"));
        // never drop WAL when the repository is slow: no queue limit
        assertThat(conf).doesNotContain("archive-push-queue-max");
    }

    @Test
    void archivePushTakesHalfTheCpusOneToFour() {
        // 1 CPU -> 1; 2 -> 1 (the other CPU stays with the writer); 4 -> 2; 8 -> 4; 64 -> 4
        assertThat(PgBackRestConf.archivePushProcesses(1)).isEqualTo(1);
        assertThat(PgBackRestConf.archivePushProcesses(2)).isEqualTo(1);
        assertThat(PgBackRestConf.archivePushProcesses(4)).isEqualTo(2);
        assertThat(PgBackRestConf.archivePushProcesses(8)).isEqualTo(4);
        assertThat(PgBackRestConf.archivePushProcesses(64)).isEqualTo(4);
    }
}
