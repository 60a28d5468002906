package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wrong input gets one clear message (what, cause, fix), its own exit code, and changes nothing:
 * no state folder, no secrets file, no half-made cluster. Refusals on a project that never started run
 * pgbox's Main in this JVM ({@link PgboxProject#pgboxInProcess}: the jar's code without a JVM start each);
 * what needs another OS user or a real start runs the jar.
 */
@Timeout(300)
class BadInputIT {

    private static void assertNothingChanged(PgboxProject p) {
        assertThat(p.dir().resolve(".pgbox/data")).doesNotExist();
        assertThat(p.dir().resolve(".pgbox/data.initializing")).doesNotExist();
    }

    private static void assertOneClearMessage(PgboxProject.Run r, int exitCode, String... mentions) {
        assertThat(r.exitCode()).as(r.all()).isEqualTo(exitCode);
        assertThat(r.stderr()).startsWith("error: ").contains("\n  fix:   ").contains(mentions).doesNotContain("Exception", "\tat ");
    }

    @Test
    void malformedEnvLine() throws IOException {
        try (PgboxProject p = PgboxProject.create("malformed", "POSTGRES_WORK_MEM 64MB")) {
            int line = Files.readAllLines(p.dir().resolve(".env.dev")).indexOf("POSTGRES_WORK_MEM 64MB") + 1;
            assertThat(line).isPositive();
            assertOneClearMessage(p.pgboxInProcess("start"), 3, ".env.dev:" + line + ": POSTGRES_WORK_MEM 64MB", "NAME=value");
            assertNothingChanged(p);
            assertThat(p.dir().resolve(".env.secrets")).doesNotExist();
        }
    }

    @Test
    void unknownVariableSuggestsTheNearest() throws IOException {
        try (PgboxProject p = PgboxProject.create("unknown", "POSTGRES_SHARED_BUFER=1GB")) {
            assertOneClearMessage(p.pgboxInProcess("start"), 3, "POSTGRES_SHARED_BUFER", "did you mean POSTGRES_SHARED_BUFFERS?");
            assertNothingChanged(p);
        }
    }

    @Test
    void invalidUnit() throws IOException {
        try (PgboxProject p = PgboxProject.create("unit", "POSTGRES_WORK_MEM=64 megs")) {
            assertOneClearMessage(p.pgboxInProcess("start"), 3, "POSTGRES_WORK_MEM", "kB, MB, GB or TB", "e.g. 512MB".replace("e.g. ", ""));
            assertNothingChanged(p);
        }
    }

    @Test
    void passwordInCommittedFileIsRefusedWithoutEchoingIt() throws IOException {
        try (PgboxProject p = PgboxProject.create("pwinenv", "POSTGRES_PASSWORD=Sup3rSecretValue")) {
            PgboxProject.Run r = p.pgboxInProcess("start");
            assertOneClearMessage(r, 3, "POSTGRES_PASSWORD", ".env.secrets");
            assertThat(r.all()).doesNotContain("Sup3rSecretValue");
        }
    }

    @Test
    void portInUse() throws IOException {
        try (PgboxProject p = PgboxProject.create("port");
             ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p.port()));
            assertOneClearMessage(p.pgboxInProcess("start"), 5, "port " + p.port(), "in use", "POSTGRES_PORT");
            assertNothingChanged(p);
            assertThat(p.dir().resolve(".env.secrets")).doesNotExist();
        }
    }

    @Test
    void dataDirOwnedByAnotherUser() throws IOException {
        try (PgboxProject p = PgboxProject.create("owner")) {
            Path data = Files.createDirectories(p.dir().resolve(".pgbox/data"));
            Files.writeString(data.resolve("PG_VERSION"), "15\n");
            UserPrincipal nobody = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(data, nobody);
            assertOneClearMessage(p.pgboxInProcess("start"), 7, "owned by 'nobody'", "chown -R postgres:");
            assertThat(Files.getOwner(data)).isEqualTo(nobody);
            assertThat(data.resolve("postgresql.conf")).doesNotExist();
        }
    }

    @Test
    void missingOsUser() throws IOException {
        try (PgboxProject p = PgboxProject.create("osuser", "PGBOX_OS_USER=pgbox_no_such_user")) {
            assertOneClearMessage(p.pgboxInProcess("start"), 7, "'pgbox_no_such_user' does not exist", "PGBOX_OS_USER");
            assertNothingChanged(p);
        }
    }

    @Test
    void notRootAndPackagesMissingPrintsTheCommandsToRun() throws IOException {
        try (PgboxProject p = PgboxProject.create("notroot", "PGBOX_PG_VERSION=99")) {
            PgboxProject.Run r = p.pgboxAs("nobody", Map.of(), "start");
            assertOneClearMessage(r, 6, "missing: PostgreSQL 99 server", "needs root", "apt-get install -y --no-install-recommends postgresql-99");
            assertNothingChanged(p);
            PgboxProject.Run check = p.pgboxAs("nobody", Map.of(), "install", "--check");
            assertThat(check.exitCode()).isEqualTo(6);
            assertThat(check.stdout()).contains("MISSING  PostgreSQL 99 server");
        }
    }

    @Test
    void stopStatusAndQueryBeforeAnyStart() throws IOException {
        try (PgboxProject p = PgboxProject.create("never")) {
            assertOneClearMessage(p.pgboxInProcess("stop"), 4, "not running", "pgbox start");
            PgboxProject.Run status = p.pgboxInProcess("status", "--json");
            assertThat(status.exitCode()).isEqualTo(4);
            assertThat(status.stdout()).contains("\"running\" : false");
            assertOneClearMessage(p.pgboxInProcess("db", "query", "SELECT 1"), 4, "not running");
            assertNothingChanged(p);
        }
    }

    @Test
    void remoteHostAndUnknownEnvironmentAreRefused() throws IOException {
        try (PgboxProject p = PgboxProject.create("host", "POSTGRES_HOST=0.0.0.0")) {
            assertOneClearMessage(p.pgboxInProcess("start"), 3, "POSTGRES_HOST", "loopback");
        }
        try (PgboxProject p = PgboxProject.create("env")) {
            assertOneClearMessage(p.pgboxInProcess("--env", "prod", "start"), 3, ".env.prod is missing");
        }
    }

    @Test
    void usageErrorsExitTwoAndEveryCommandHasHelp() throws IOException {
        try (PgboxProject p = PgboxProject.create("usage")) {
            assertThat(p.pgboxInProcess("start", "--no-such-flag").exitCode()).isEqualTo(2);
            assertThat(p.pgboxInProcess("tune", "--show", "--apply").exitCode()).isEqualTo(2);
            for (String[] cmd : new String[][] {{"install"}, {"start"}, {"stop"}, {"restart"}, {"status"}, {"config"}, {"tune"},
                    {"db"}, {"db", "shell"}, {"db", "query"}}) {
                String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
                args[cmd.length] = "--help";
                PgboxProject.Run r = p.pgboxInProcess(args);
                assertThat(r.exitCode()).as(String.join(" ", cmd)).isZero();
                assertThat(r.stdout()).startsWith("Usage: pgbox " + String.join(" ", cmd));
            }
        }
    }

    @Test
    void failedInitLeavesNothingHalfMade() throws IOException {
        // more shared memory than the machine has: the RAM plan refuses it before initdb makes anything
        try (PgboxProject p = PgboxProject.create("atomic", "POSTGRES_SHARED_BUFFERS=64TB")) {
            PgboxProject.Run r = p.pgbox("start");
            assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
            assertThat(r.stderr()).contains("POSTGRES_SHARED_BUFFERS=64TB", "too big", "cause:", "fix:");
            assertNothingChanged(p);
            // fixing the setting is enough to succeed: nothing stale is in the way
            Files.writeString(p.dir().resolve(".env.dev"), Files.readString(p.dir().resolve(".env.dev"))
                    .replace("POSTGRES_SHARED_BUFFERS=64TB", "POSTGRES_SHARED_BUFFERS=128MB"));
            p.ok("start");
            assertThat(p.dir().resolve(".pgbox/data/PG_VERSION")).exists();
        }
    }
}
