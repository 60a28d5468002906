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

            p.ok("db", "backup");
            Thread.sleep(1100);
            p.ok("db", "backup");
            List<Path> manual = dumpSets(p);
            assertThat(manual).hasSize(2);
            List<Path> sets = manual;
            for (int i = 0; i < 150 && (sets.size() != 1 || manual.contains(sets.get(0))); i++) {
                Thread.sleep(500);
                sets = dumpSets(p);
            }
            assertThat(sets).as("one new scheduled dump set, older ones removed").hasSize(1);
            assertThat(manual).doesNotContain(sets.get(0));
            String log = Files.readString(p.dir().resolve(".pgbox/log/agent.log"));
            assertThat(log).contains("scheduled dump", "dump: ok", "removed 2 old set(s)");

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
