package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.cluster.OwnedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Existing folders of the user's (1777 like /tmp, and root's 0755) named as PGBOX_LOG_DIR, BACKUP_REPO
 * and 'db backup --dest' keep their mode and owner; pgbox writes into its own subfolder, and the
 * server, its physical backups and the dumps all work.
 */
@Timeout(600)
class OwnedFoldersIT {
    private final List<Path> made = new ArrayList<>();

    private Path existing(String mode) throws Exception {
        Path p = Files.createTempDirectory(Path.of("/tmp"), "pgbox-it-user-" + mode + "-");
        made.add(p);
        run("chmod", mode, p.toString());
        assertThat(modeAndOwner(p)).isEqualTo(mode + " root");
        return p;
    }

    static String modeAndOwner(Path p) throws Exception {
        Process pr = new ProcessBuilder("stat", "-c", "%a %U", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes()).strip();
        pr.waitFor();
        return out;
    }

    private static void run(String... argv) throws Exception {
        assertThat(new ProcessBuilder(argv).inheritIO().start().waitFor()).isZero();
    }

    @AfterEach
    void cleanUp() {
        for (Path p : made) {
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void sharedFoldersKeepModeAndOwnerAndBackupsWork() throws Exception {
        check("1777", "755");
    }

    @Test
    void rootsFoldersKeepModeAndOwnerAndBackupsWork() throws Exception {
        check("755", "1777");
    }

    private void check(String logMode, String repoMode) throws Exception {
        Path logs = existing(logMode);
        Path repo = existing(repoMode);
        Path dest1777 = existing("1777");
        Path dest755 = existing("755");
        try (PgboxProject p = PgboxProject.create("owned", "PGBOX_AGENT=off", "PGBOX_LOG_DIR=" + logs, "BACKUP_REPO=" + repo)) {
            String sub = OwnedFiles.subfolderName(p.dir());
            assertThat(p.ok("start").stdout()).contains("took the first full backup", "logs:     " + logs.resolve(sub));
            assertThat(p.ok("db", "backup", "--physical", "--type=incr").stdout()).startsWith("incr backup ");
            for (Path dest : List.of(dest1777, dest755)) {
                PgboxProject.Run r = p.ok("db", "backup", "--dest=" + dest);
                Path set = Path.of(r.stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
                assertThat(set.getParent()).isEqualTo(dest.resolve(sub));
                assertThat(set.resolve("manifest.json")).exists();
                assertThat(set.resolve("app.dump")).exists();
                assertThat(modeAndOwner(dest.resolve(sub))).isEqualTo("750 postgres");
            }
            // the user's folders are exactly as they were
            assertThat(modeAndOwner(logs)).isEqualTo(logMode + " root");
            assertThat(modeAndOwner(repo)).isEqualTo(repoMode + " root");
            assertThat(modeAndOwner(dest1777)).isEqualTo("1777 root");
            assertThat(modeAndOwner(dest755)).isEqualTo("755 root");
            // and pgbox's subfolders hold the server log and the repository
            assertThat(modeAndOwner(logs.resolve(sub))).isEqualTo("750 postgres");
            try (Stream<Path> s = Files.list(logs.resolve(sub))) {
                assertThat(s.map(f -> f.getFileName().toString())).anyMatch(n -> n.endsWith(".log"));
            }
            assertThat(repo.resolve(sub).resolve("backup/main/backup.info")).exists();
            assertThat(new ObjectMapper().readTree(p.ok("db", "backup", "--list", "--json").stdout()).findValuesAsText("type"))
                    .contains("full", "incr");
            // a second start finds the same places
            p.ok("restart");
            assertThat(p.ok("db", "backup", "--physical", "--type=incr").stdout()).startsWith("incr backup ");
            assertThat(modeAndOwner(logs)).isEqualTo(logMode + " root");
            assertThat(modeAndOwner(repo)).isEqualTo(repoMode + " root");
        }
    }
}
