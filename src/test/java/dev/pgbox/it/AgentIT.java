package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent runs scheduled dumps with retention, starts with 'pgbox start' and ends with 'pgbox stop'. */
@Timeout(300)
class AgentIT {
    static List<Path> dumpSets(PgboxProject p) throws Exception {
        Path home = p.dir().resolve(".pgbox/backup/dumps");
        if (!Files.isDirectory(home)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(home)) {
            return s.filter(d -> Files.exists(d.resolve("manifest.json"))).sorted().toList();
        }
    }

    static Path setOf(PgboxProject.Run r) {
        return Path.of(r.stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
    }

    @Test
    void scheduledDumpRunsEnforcesRetentionAndStopsWithTheServer() throws Exception {
        try (PgboxProject p = PgboxProject.create("agent", "BACKUP_SCHEDULE=* * * * *", "BACKUP_DUMP_RETENTION=1",
                "BACKUP_PHYSICAL_SCHEDULE=", "VERIFY_SCHEDULE=")) {
            assertThat(p.ok("start").stdout()).contains("started the agent");
            JsonNode status = new ObjectMapper().readTree(p.ok("status", "--json").stdout());
            assertThat(status.path("agent_running").asBoolean()).isTrue();
            long agentPid = status.path("agent_pid").asLong();
            assertThat(p.ok("agent", "--jobs").stdout()).contains("dump", "* * * * *").doesNotContain("physical-backup", "verify");
            assertThat(p.ok("start").stdout()).contains("already running"); // a second start leaves the agent alone
            assertThat(new ObjectMapper().readTree(p.ok("status", "--json").stdout()).path("agent_pid").asLong()).isEqualTo(agentPid);

            // two manual dumps back to back: unique folders, no sleep needed
            Path m1 = setOf(p.ok("db", "backup"));
            Path m2 = setOf(p.ok("db", "backup"));
            assertThat(m1).isNotEqualTo(m2);
            // the agent's minute tick may fall anywhere in between (jobs and commands take turns on the project lock);
            // what must hold is that a scheduled dump newer than both manual ones runs and retention then keeps only it
            Path agentLog = p.dir().resolve(".pgbox/log/agent.log");
            List<Path> sets = dumpSets(p);
            for (int i = 0; i < 300 && !(sets.size() == 1 && sets.get(0).getFileName().toString().compareTo(m2.getFileName().toString()) > 0
                    && !Files.exists(m1) && !Files.exists(m2) && Files.readString(agentLog).contains("old set(s)")); i++) {
                Thread.sleep(500); // waiting for the next minute tick, not synchronising
                sets = dumpSets(p);
            }
            assertThat(sets).as("one new scheduled dump set, older ones removed").hasSize(1);
            assertThat(sets.get(0).getFileName().toString()).isGreaterThan(m2.getFileName().toString());
            assertThat(m1).doesNotExist();
            assertThat(m2).doesNotExist();
            String log = Files.readString(agentLog);
            assertThat(log).contains("scheduled dump", "dump: ok").containsPattern("removed \\d+ old set\\(s\\)");

            assertThat(p.ok("stop").stdout()).contains("agent stopped");
            for (int i = 0; i < 50 && ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false); i++) {
                Thread.sleep(100);
            }
            assertThat(ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(p.dir().resolve(".pgbox/run/agent.pid")).doesNotExist();
        }
    }

    @Test
    void aBadScheduleIsRefusedBeforeAnythingStarts() throws Exception {
        try (PgboxProject p = PgboxProject.create("badcron", "BACKUP_SCHEDULE=0 3 * *")) {
            PgboxProject.Run r = p.pgbox("start");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stderr()).contains("BACKUP_SCHEDULE", "5 fields");
            assertThat(p.dir().resolve(".pgbox/data")).doesNotExist();
        }
    }
}
