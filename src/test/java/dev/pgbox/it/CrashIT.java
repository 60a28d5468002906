package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OOM killer's way: SIGKILL of the postmaster under a writer's load, ten times at random moments.
 * Odd rounds wait for the agent's watchdog alone (no command typed); even rounds run 'pgbox start' the
 * moment after the kill, racing the watchdog. Every acknowledged insert must survive all ten crashes.
 */
@Timeout(600)
class CrashIT {
    private static final int ROUNDS = 10;

    @Test
    void killedPostmasterComesBackAndNoAcknowledgedCommitIsLost() throws Exception {
        try (PgboxProject p = PgboxProject.create("crash", "BACKUP_SCHEDULE=", "BACKUP_PHYSICAL_SCHEDULE=", "VERIFY_SCHEDULE=")) {
            p.ok("start");
            try (Connection c = p.connectApp(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE acked (id bigint PRIMARY KEY, at timestamptz DEFAULT now())");
            }
            Set<Long> acked = new ConcurrentSkipListSet<>();
            AtomicLong nextId = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> write(p, acked, nextId, stop), "writer");
            writer.start();
            long seed = System.nanoTime();
            Random random = new Random(seed);
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    int before = acked.size();
                    awaitAcked(acked, before + 20, "writes before round " + round + " (seed " + seed + ")");
                    Thread.sleep(random.nextInt(700));
                    long pid = p.pid();
                    assertThat(pid).isPositive();
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                    if (round % 2 == 0) {
                        PgboxProject.Run r = p.pgbox("start");
                        assertThat(r.exitCode()).as("round %d: pgbox start right after the kill\n%s", round, r.all()).isZero();
                    }
                    // backends of a dead postmaster may still commit a few statements before they notice: wait for
                    // the new postmaster first, then for writes through it
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    while ((p.pid() == pid || p.pid() <= 0) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(p.pid()).as("a new postmaster in round %d (seed %d)", round, seed).isNotEqualTo(pid).isPositive();
                    int atRestart = acked.size();
                    awaitAcked(acked, atRestart + 20, "writes after the restart of round " + round + " (seed " + seed + ")");
                }
            } finally {
                stop.set(true);
                writer.join(30_000);
            }
            Set<Long> stored = new HashSet<>();
            try (Connection c = p.connectApp(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM acked")) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            }
            Set<Long> lost = new HashSet<>(acked);
            lost.removeAll(stored);
            assertThat(lost).as("acknowledged ids missing after %d crashes (of %d acknowledged)", ROUNDS, acked.size()).isEmpty();

            JsonNode status = new ObjectMapper().readTree(p.ok("status", "--json").stdout());
            JsonNode sup = status.path("supervision");
            assertThat(sup.path("crash_restarts").asInt()).as(sup.toString()).isEqualTo(ROUNDS);
            assertThat(sup.path("last_crash_at").asText()).isNotEmpty();
            assertThat(sup.path("supervisor").asText()).isEqualTo("agent");
            assertThat(sup.path("starts_at_boot").asBoolean()).isFalse();
            assertThat(p.ok("status").stdout()).contains("does NOT start by itself", "crashes      " + ROUNDS + " restart(s) after a crash");
            assertThat(PgboxProject.read(p.dir().resolve(".pgbox/log/agent.log"))).contains("watchdog: the server is back");
        }
    }

    /** Inserts one id per transaction; an id counts once the commit is acknowledged. Reconnects after errors. */
    private static void write(PgboxProject p, Set<Long> acked, AtomicLong nextId, AtomicBoolean stop) {
        while (!stop.get()) {
            try (Connection c = p.connect("127.0.0.1", "app", "app", p.settings().get(dev.pgbox.config.Setting.POSTGRES_PASSWORD), null);
                 PreparedStatement ins = c.prepareStatement("INSERT INTO acked (id) VALUES (?)")) {
                while (!stop.get()) {
                    long id = nextId.incrementAndGet();
                    ins.setLong(1, id);
                    ins.executeUpdate();
                    acked.add(id);
                }
            } catch (java.sql.SQLException | RuntimeException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void awaitAcked(Set<Long> acked, int atLeast, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (acked.size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(acked.size()).as(what).isGreaterThanOrEqualTo(atLeast);
    }
}
