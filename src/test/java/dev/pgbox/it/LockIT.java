package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.Jdbc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One changer at a time per project: commands and agent jobs wait for each other, say who holds the lock, survive kill -9. */
@Timeout(600)
class LockIT {
    static final ObjectMapper JSON = new ObjectMapper();

    static void waitFor(String what, java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void aWaiterNamesTheHolderAndRefusesAndAKilledHolderIsTakenOver() throws Exception {
        try (PgboxProject p = PgboxProject.create("lockheld", "PGBOX_AGENT=off", "BACKUP_ARCHIVE=off")) {
            p.ok("start");
            Path lockFile = p.dir().resolve(".pgbox/pgbox.lock");
            long dumpPid;
            try (Connection c = p.connectApp()) {
                Jdbc.execute(c, "CREATE TABLE held (v int)");
                c.setAutoCommit(false);
                Jdbc.execute(c, "LOCK TABLE held IN ACCESS EXCLUSIVE MODE"); // the dump below cannot finish while this is held
                Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                        PgboxProject.JAR.toString(), "--project", p.dir().toString(), "db", "backup")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                dumpPid = dump.pid();
                try {
                    waitFor("the dump to hold the project lock", () -> read(lockFile).contains("PID " + dump.pid() + " "), 60);
                    assertThat(read(lockFile)).contains(": db backup");

                    PgboxProject.Run refused = p.pgboxAs(null, Map.of("PGBOX_LOCK_TIMEOUT", "2s"), "app", "create", "blocked");
                    assertThat(refused.exitCode()).as(refused.all()).isEqualTo(10);
                    assertThat(refused.stderr()).contains("waiting up to 2s for the project lock, held by 'db backup' (PID " + dump.pid() + ") since ")
                            .contains("error: another pgbox command is changing this project: 'db backup' (PID " + dump.pid() + ")")
                            .contains("PGBOX_LOCK_TIMEOUT");
                    assertThat(refused.stderr().split("waiting up to", -1)).as("one waiting line").hasSize(2);
                    // read-only commands never wait
                    assertThat(p.pgboxAs(null, Map.of("PGBOX_LOCK_TIMEOUT", "1s"), "db", "backup", "--list").exitCode()).isZero();
                    assertThat(p.pgboxAs(null, Map.of("PGBOX_LOCK_TIMEOUT", "1s"), "status").exitCode()).isZero();

                    dump.destroyForcibly(); // SIGKILL: no chance to release anything
                    dump.waitFor();
                } finally {
                    dump.destroyForcibly();
                    c.rollback();
                }
            }
            assertThat(read(lockFile)).as("the dead holder's record is still there").contains("PID " + dumpPid + " ");
            PgboxProject.Run next = p.pgboxAs(null, Map.of("PGBOX_LOCK_TIMEOUT", "5s"), "app", "create", "afterkill");
            assertThat(next.exitCode()).as(next.all()).isZero();
            assertThat(next.stderr()).contains("took over the project lock from 'db backup' (PID " + dumpPid + ")")
                    .doesNotContain("waiting");
            assertThat(p.admin().value("postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname IN ('blocked', 'afterkill')"))
                    .as("the refused command changed nothing").isEqualTo("afterkill");
            assertThat(read(lockFile)).as("released").isEmpty();
        }
    }

    @Test
    void anAgentDrillDbVerifyAndAPhysicalBackupStartedTogetherAllFinishCorrectly() throws Exception {
        try (PgboxProject p = PgboxProject.create("lockrace", "VERIFY_SCHEDULE=* * * * *", "BACKUP_SCHEDULE=",
                "BACKUP_PHYSICAL_SCHEDULE=", "PGBOX_LOCK_TIMEOUT=5min")) {
            p.ok("start");
            p.ok("db", "backup"); // a dump set, so every drill also restores and compares it
            Path scratch = p.dir().resolve(".pgbox/scratch");
            Files.createDirectories(scratch);
            Path dead = Files.createDirectory(scratch.resolve("999999999-1-1")); // a killed run's leftover
            ProcessHandle me = ProcessHandle.current();
            Path live = Files.createDirectory(scratch.resolve(me.pid() + "-" + me.info().startInstant().orElseThrow().getEpochSecond() + "-1"));
            Path agentLog = p.dir().resolve(".pgbox/log/agent.log");
            waitFor("the agent's drill to start", () -> read(agentLog).contains("verify: starting"), 90);

            CompletableFuture<PgboxProject.Run> verify = CompletableFuture.supplyAsync(() -> p.pgbox("db", "verify", "--json"));
            CompletableFuture<PgboxProject.Run> backup = CompletableFuture.supplyAsync(() -> p.pgbox("db", "backup", "--physical"));
            PgboxProject.Run v = verify.get();
            PgboxProject.Run b = backup.get();
            assertThat(v.exitCode()).as(v.all()).isZero();
            assertThat(b.exitCode()).as(b.all()).isZero();
            JsonNode drill = JSON.readTree(v.stdout());
            assertThat(drill.path("ok").asBoolean()).as(drill.toString()).isTrue();
            assertThat(drill.path("tables_compared").asInt()).isPositive();
            assertThat(b.stdout()).contains(" backup ");
            assertThat(v.stderr() + b.stderr()).as("they waited for each other or the agent").contains("for the project lock, held by '");
            waitFor("the agent's drill to end", () -> read(agentLog).contains("verify: ok"), 120);
            String log = read(agentLog);
            assertThat(log).contains("verify: ok").doesNotContain("FAILED");
            String label = b.stdout().replaceAll("(?s)^\\S+ backup (\\S+):.*", "$1");
            assertThat(JSON.readTree(p.ok("db", "backup", "--list", "--json").stdout()).findValuesAsText("id")).contains(label);

            assertThat(dead).as("a dead run's scratch folder is removed").doesNotExist();
            assertThat(live).as("a live run's scratch folder is never touched").exists();
            Files.delete(live);
            p.ok("stop"); // waits for a drill the agent may have begun meanwhile
            try (Stream<Path> s = Files.list(scratch)) {
                assertThat(s.toList()).as("every run removed its own scratch cluster").isEmpty();
            }
            assertThat(v.stderr() + b.stderr() + log).doesNotContain("Exception");
            List<String> lines = log.lines().filter(l -> l.contains("verify: ok")).toList();
            assertThat(lines).allMatch(l -> l.contains("verified "));
        }
    }
}
