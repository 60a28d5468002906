package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 'pgbox init' run as a user would, with the real jar: it writes .env.dev, .env.prod and the .gitignore
 * lines, a second run changes no byte, and a file that exists is never touched. Also the version line.
 */
@Timeout(300)
class InitIT {
    private static final List<String> FILES = List.of(".env.dev", ".env.prod", ".gitignore");

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> m = new java.util.HashMap<>();
        for (String f : FILES) {
            m.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        return m;
    }

    @Test
    void writesTheStartingFilesThenChangesNothingOnASecondRun() throws IOException {
        try (PgboxProject p = PgboxProject.create("init")) {
            Files.delete(p.dir().resolve(".env.dev"));
            PgboxProject.Run first = p.ok("init");
            for (String f : FILES) {
                assertThat(first.stdout()).contains("wrote " + p.dir().resolve(f));
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p.dir().resolve(f)))).as(f)
                        .isEqualTo("rw-r--r--");
            }
            String dev = Files.readString(p.dir().resolve(".env.dev"));
            assertThat(dev).contains("# ---- POSTGRES_*", "# POSTGRES_PORT=5432\n", "# BACKUP_SCHEDULE=\"0 3 * * *\"\n")
                    .doesNotContainPattern("(?m)^#?\\s*POSTGRES_PASSWORD=");
            assertThat(Files.readString(p.dir().resolve(".env.prod"))).contains("# PGBOX_SUPERVISOR=auto\n", "# In production: ");
            assertThat(Files.readAllLines(p.dir().resolve(".gitignore"))).containsExactly(".env.secrets", ".pgbox/");

            // pgbox itself reads the new files: nothing is set by them, with or without --env prod
            PgboxProject.Run explain = p.ok("config", "--json");
            assertThat(explain.stdout()).doesNotContain("\"source\" : \".env.dev\"");
            assertThat(p.ok("--env", "prod", "config", "--json").stdout()).doesNotContain("\"source\" : \".env.prod\"");

            Map<String, byte[]> before = contents(p.dir());
            PgboxProject.Run second = p.ok("init");
            assertThat(second.stdout()).contains("kept " + p.dir().resolve(".env.dev") + " (exists)")
                    .contains("kept " + p.dir().resolve(".env.prod") + " (exists)").doesNotContain("wrote ");
            Map<String, byte[]> after = contents(p.dir());
            for (String f : FILES) {
                assertThat(after.get(f)).as(f).isEqualTo(before.get(f));
            }
            assertThat(p.ok("init", "--json").stdout()).contains("\"files\"", "\"action\" : \"kept\"").doesNotContain("wrote");
        }
    }

    @Test
    void anExistingEnvDevAndGitignoreAreKeptAndGitignoreGetsOnlyTheMissingLine() throws IOException {
        try (PgboxProject p = PgboxProject.create("init-existing")) {
            byte[] dev = Files.readAllBytes(p.dir().resolve(".env.dev"));
            Files.writeString(p.dir().resolve(".gitignore"), "node_modules/\n.env.secrets");
            PgboxProject.Run r = p.ok("init", "--json");
            assertThat(r.stdout()).contains("\"action\" : \"kept\"", "\"action\" : \"wrote\"", "\"action\" : \"updated\"");
            assertThat(Files.readAllBytes(p.dir().resolve(".env.dev"))).isEqualTo(dev);
            assertThat(Files.readString(p.dir().resolve(".gitignore"))).isEqualTo("node_modules/\n.env.secrets\n.pgbox/\n");
            p.ok("init");
            List<String> lines = Files.readAllLines(p.dir().resolve(".gitignore"));
            assertThat(lines).doesNotHaveDuplicates().containsExactly("node_modules/", ".env.secrets", ".pgbox/");
            assertThat(Files.readAllBytes(p.dir().resolve(".env.dev"))).isEqualTo(dev);
        }
    }

    @Test
    void aMissingProjectFolderIsAUsageErrorAndNothingIsMade() throws IOException, InterruptedException {
        try (PgboxProject p = PgboxProject.create("init-missing")) {
            Path missing = p.dir().resolve("nope");
            // PgboxProject passes its own --project, so the jar is run here with the missing folder
            Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    PgboxProject.JAR.toString(), "--project", missing.toString(), "init").directory(p.dir().toFile()).start();
            run.getOutputStream().close();
            String stderr = new String(run.getErrorStream().readAllBytes());
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(stderr).isEqualTo(2);
            assertThat(stderr).startsWith("error: project folder " + missing + " does not exist").contains("  fix:   ");
            assertThat(missing).doesNotExist();
        }
    }

    @Test
    void versionNamesTheCommitTheJarWasBuiltFrom() throws IOException, InterruptedException {
        try (PgboxProject p = PgboxProject.create("version")) {
            String line = p.ok("--version").stdout().strip();
            // the build ran in this clone, so the commit is this clone's HEAD; without a git program (a clone copied
            // onto a machine that has none, or a source tarball) the build cannot know it and says so
            String head = gitHead();
            if (head == null) {
                assertThat(line).matches("pgbox \\S+ \\(unknown\\)");
            } else {
                assertThat(line).matches("pgbox \\S+ \\([0-9a-f]{7,}(, dirty)?\\)");
                assertThat(line).contains("(" + head);
            }
        }
    }

    /** This clone's HEAD as a short hash, or null when git is not installed or this is not a git clone. */
    private static String gitHead() throws IOException, InterruptedException {
        Process git;
        try {
            git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").redirectErrorStream(true).start();
        } catch (IOException noGit) {
            return null;
        }
        assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(git.getInputStream().readAllBytes()).strip();
        return git.exitValue() == 0 ? out : null;
    }
}
