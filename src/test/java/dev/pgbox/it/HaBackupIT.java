package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backups and point-in-time recovery on an HA member, for real: a one-member Patroni cluster on
 * 127.0.0.2 with WAL archiving on takes physical and logical backups, passes a restore drill, restores
 * a dump into another database, and rewinds the whole cluster to a time through Patroni (paused,
 * restored, promoted, resumed) - afterwards the member is Patroni's running leader again, not paused,
 * and takes writes.
 */
@Timeout(900)
class HaBackupIT {
    private static final String MEMBER_ADDRESS = "127.0.0.2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private PgboxProject project;
    private int rest;
    private final List<Long> pids = new ArrayList<>();
    private final List<PgboxProject> others = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (int i = others.size() - 1; i >= 0; i--) {
            stopAndClose(others.get(i));
        }
        if (project != null) {
            stopAndClose(project);
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private void stopAndClose(PgboxProject p) {
        p.pgbox("stop");
        rememberPids(p);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        p.close();
    }

    @Test
    void backupsDrillsAndPointInTimeRecoveryWorkThroughPatroni() throws Exception {
        rest = PgboxProject.freePort();
        project = PgboxProject.create("habackup", "POSTGRES_LISTEN=" + MEMBER_ADDRESS, "PATRONI_REST_PORT=" + rest,
                "ETCD_CLIENT_PORT=" + PgboxProject.freePort(), "ETCD_PEER_PORT=" + PgboxProject.freePort());
        project.ok("start");
        withLogs("ha", "init", "--cluster", "trial", "--member", "a");
        rememberPids();
        assertThat(project.admin().value("postgres", "SHOW archive_command")).contains("pgbackrest");

        JsonNode backups = JSON.readTree(withLogs("db", "backup", "--list", "--json").stdout());
        assertThat(backups).hasSize(1); // the first start's full backup, from before 'ha init'
        String firstBackup = backups.get(0).path("id").asText();
        int initTimeline = timeline();
        assertThat(initTimeline).as("Patroni promoted the member at 'ha init': a new timeline").isGreaterThan(1);

        // rows 1 to 3 before the target, 4 and 5 after it
        project.admin().run("app", "CREATE TABLE ledger (v int PRIMARY KEY); INSERT INTO ledger VALUES (1);");
        project.admin().run("app", "INSERT INTO ledger VALUES (2);");
        project.admin().run("app", "INSERT INTO ledger VALUES (3);");
        String target = targetBetweenCommits();
        project.admin().run("app", "INSERT INTO ledger VALUES (4);");
        project.admin().run("app", "INSERT INTO ledger VALUES (5);");

        // bad input changes nothing: the cluster is not paused and keeps its rows
        PgboxProject.Run future = project.pgbox("db", "restore", "--point-in-time=2999-01-01 00:00:00 UTC", "--yes");
        assertThat(future.exitCode()).as(future.all()).isEqualTo(2);
        assertThat(future.stderr()).contains("in the future");
        assertThat(cluster().path("pause").asBoolean(false)).isFalse();
        assertThat(project.admin().value("app", "SELECT count(*) FROM ledger")).isEqualTo("5");

        // a failure midway (the backup's manifest unreadable: pgBackRest fails once PostgreSQL is stopped) resumes
        // Patroni, which starts PostgreSQL again by itself: the cluster runs on, its rows untouched
        Path manifests = project.dir().resolve(".pgbox/backup/repo/backup/main/" + firstBackup);
        List<Path> hidden = List.of(manifests.resolve("backup.manifest"), manifests.resolve("backup.manifest.copy"));
        for (Path f : hidden) {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        }
        PgboxProject.Run broken = project.pgbox("db", "restore", "--point-in-time=" + target, "--yes");
        for (Path f : hidden) {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        }
        assertThat(broken.exitCode()).as(broken.all()).isEqualTo(9);
        assertThat(broken.stderr()).contains("stopping PostgreSQL", "the restore failed", "resuming Patroni");
        awaitMember("a", "running", null);
        assertThat(leader().path("name").asText()).isEqualTo("a");
        assertThat(cluster().path("pause").asBoolean(false)).isFalse();
        assertThat(awaitRows(project, "1,2,3,4,5")).isTrue();

        // the only backup is from before 'ha init': the replay crosses Patroni's timeline switch to reach the target
        long postmaster = project.pid();
        PgboxProject.Run restored = withLogs("db", "restore", "--point-in-time=" + target, "--yes");
        assertThat(restored.stdout()).contains("restored the cluster", "from backup " + firstBackup, "timeline");
        assertThat(restored.stderr()).contains("pausing Patroni", "restoring backup", "replaying WAL", "resuming Patroni");
        rememberPids();
        assertThat(project.pid()).isNotEqualTo(postmaster);
        assertThat(project.admin().value("app", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger")).isEqualTo("1,2,3");
        assertThat(timeline()).isGreaterThan(initTimeline);

        // Patroni runs it as the leader again, not paused; it takes writes
        JsonNode status = JSON.readTree(withLogs("ha", "status", "--json").stdout());
        JsonNode a = status.path("members").get(0);
        assertThat(status.path("members")).hasSize(1);
        assertThat(a.path("name").asText()).isEqualTo("a");
        assertThat(a.path("role").asText()).isEqualTo("leader");
        assertThat(a.path("state").asText()).isEqualTo("running");
        assertThat(cluster().path("pause").asBoolean(false)).isFalse();
        project.admin().run("app", "INSERT INTO ledger VALUES (6);");
        assertThat(project.admin().value("app", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger")).isEqualTo("1,2,3,6");

        // backups on the leader member: physical (pgBackRest through Patroni's archive_command) and logical
        PgboxProject.Run physical = withLogs("db", "backup", "--physical", "--type=full");
        assertThat(physical.stdout()).contains("full backup");
        PgboxProject.Run logical = withLogs("db", "backup", "app");
        Path set = Path.of(logical.stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
        assertThat(set.resolve("app.dump")).exists();

        // a dump restores into another database on the member; a restore drill passes
        PgboxProject.Run into = withLogs("db", "restore", "--file=" + set.resolve("app.dump"), "--into", "app_copy");
        assertThat(into.stdout()).contains("app_copy");
        assertThat(project.admin().value("app_copy", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger")).isEqualTo("1,2,3,6");
        JsonNode drill = JSON.readTree(withLogs("db", "verify", "--json").stdout());
        assertThat(drill.path("ok").asBoolean()).as(drill.toString()).isTrue();

        // Patroni still manages it: a restart goes through Patroni, and the restored rows stay
        withLogs("restart");
        rememberPids();
        assertThat(leader().path("name").asText()).isEqualTo("a");
        assertThat(project.admin().value("app", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger")).isEqualTo("1,2,3,6");

        // a restore point on the member, and a rewind to it through Patroni
        withLogs("db", "restore-point", "before-7");
        project.admin().run("app", "INSERT INTO ledger VALUES (7);");
        withLogs("db", "restore", "--restore-point=before-7", "--yes");
        assertThat(project.admin().value("app", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger")).isEqualTo("1,2,3,6");
        assertThat(leader().path("state").asText()).isEqualTo("running");
        assertThat(cluster().path("pause").asBoolean(false)).isFalse();
        project.admin().run("app", "INSERT INTO ledger VALUES (8);");
    }

    /** The timeline the leader writes on now (Patroni's /cluster gives its last checkpoint's, which lags after a promotion). */
    private int timeline() {
        return Integer.parseInt(project.admin().value("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())").substring(0, 8), 16);
    }

    /**
     * Two members on one box: the leader (127.0.0.2) rewinds the cluster; the replica (127.0.0.3), whose
     * data follows the discarded history, is re-initialised from it and streams the restored history.
     * On the replica, backups and restores are refused naming the leader.
     */
    @Test
    void pointInTimeRecoveryReinitialisesTheOtherMember() throws Exception {
        rest = PgboxProject.freePort();
        int etcd = PgboxProject.freePort();
        project = PgboxProject.create("habackup-a", "POSTGRES_LISTEN=" + MEMBER_ADDRESS, "PATRONI_REST_PORT=" + rest,
                "ETCD_CLIENT_PORT=" + etcd, "ETCD_PEER_PORT=" + PgboxProject.freePort(), "PGBOX_AGENT=off",
                "PATRONI_REPLICATION_CIDRS=127.0.0.2/32,127.0.0.3/32");
        project.ok("start");
        withLogs("ha", "init", "--cluster", "shop", "--member", "a");
        rememberPids();
        project.admin().run("app", "CREATE TABLE ledger (v int PRIMARY KEY); INSERT INTO ledger VALUES (1);");

        PgboxProject b = PgboxProject.create("habackup-b", "POSTGRES_LISTEN=127.0.0.3", "PATRONI_REST_PORT=" + PgboxProject.freePort(),
                "ETCD_CLIENT_PORT=" + PgboxProject.freePort(), "ETCD_PEER_PORT=" + PgboxProject.freePort(), "PGBOX_AGENT=off",
                "PATRONI_REPLICATION_CIDRS=127.0.0.2/32,127.0.0.3/32");
        others.add(b);
        withLogs(b, "ha", "join", "--cluster", "shop", "--etcd", "http://" + MEMBER_ADDRESS + ":" + etcd, "--member", "b",
                "--secrets-from", project.dir().resolve(".env.secrets").toString());
        rememberPids(b);
        awaitMember("b", "streaming", null);

        // on the replica, backups and restores are the leader's
        for (List<String> args : List.of(List.of("db", "backup", "--physical"), List.of("db", "backup"),
                List.of("db", "restore", "--point-in-time=2001-01-01 00:00:00 UTC", "--yes"))) {
            PgboxProject.Run refused = b.pgbox(args.toArray(String[]::new));
            assertThat(refused.exitCode()).as(refused.all()).isEqualTo(3);
            assertThat(refused.stderr()).contains("member 'b': it is a replica", "member 'a' at " + MEMBER_ADDRESS);
        }

        withLogs("db", "backup", "--physical", "--type=full");
        project.admin().run("app", "INSERT INTO ledger VALUES (2);");
        String target = targetBetweenCommits();
        project.admin().run("app", "INSERT INTO ledger VALUES (3);");
        assertThat(awaitRows(b, "1,2,3")).as("the replica streams before the restore").isTrue();
        long replicaPostmaster = b.pid();

        PgboxProject.Run restored = withLogs("db", "restore", "--point-in-time=" + target, "--yes");
        assertThat(restored.stderr()).contains("pausing Patroni", "re-initialising member 'b'", "resuming Patroni");
        rememberPids();
        rememberPids(b);
        int timeline = timeline();
        assertThat(leader().path("name").asText()).isEqualTo("a");
        assertThat(cluster().path("pause").asBoolean(false)).isFalse();
        awaitMember("b", "streaming", timeline);
        assertThat(b.pid()).as("the replica's PostgreSQL was re-initialised").isNotEqualTo(replicaPostmaster);
        assertThat(project.admin().value("app", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger")).isEqualTo("1,2");
        assertThat(awaitRows(b, "1,2")).as("the replica holds the restored history").isTrue();
        project.admin().run("app", "INSERT INTO ledger VALUES (4);");
        assertThat(awaitRows(b, "1,2,4")).as("the replica streams new writes").isTrue();

        // b becomes the leader: its agent takes over the backups (its own stanza and a first full backup), so
        // archiving and point-in-time recovery go on after a switchover or failover
        Path env = b.dir().resolve(".env.dev");
        Files.writeString(env, Files.readString(env).replace("PGBOX_AGENT=off", "PGBOX_AGENT=on"));
        withLogs(b, "start");
        rememberPids(b);
        withLogs(b, "ha", "switchover", "--to", "b", "--yes");
        Path agentLog = b.dir().resolve(".pgbox/log/agent.log");
        String log = "";
        for (int i = 0; i < 240 && !log.contains("leader-backups: ok"); i++) {
            Thread.sleep(500);
            log = Files.exists(agentLog) ? Files.readString(agentLog) : "";
        }
        assertThat(log).as("b's agent log").contains("leader-backups: ok", "took the first full backup");
        JsonNode list = new ObjectMapper().readTree(b.ok("db", "backup", "--list", "--json").stdout());
        assertThat(list).isNotEmpty();
        assertThat(list.get(0).path("type").asText()).isEqualTo("full");
        b.admin().run("app", "INSERT INTO ledger VALUES (5);");
        b.ok("db", "backup", "--physical", "--type=incr");
    }

    /** A recovery target a second after the last commit and a second before the next (the server's clock, UTC). */
    private String targetBetweenCommits() throws Exception {
        Thread.sleep(1100);
        String target = project.admin().value("postgres",
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC'");
        Thread.sleep(1100);
        return target;
    }

    /** Waits until Patroni lists member {@code name} in {@code state} (and on {@code timeline} when given). */
    private void awaitMember(String name, String state, Integer timeline) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 240; i++) {
            last = cluster();
            for (JsonNode m : last.path("members")) {
                if (m.path("name").asText().equals(name) && m.path("state").asText().equals(state)
                        && (timeline == null || m.path("timeline").asInt() == timeline)) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("member " + name + " never became " + state + (timeline == null ? "" : " on timeline " + timeline)
                + ": " + last);
    }

    /** Waits until the ledger on {@code p} reads {@code rows} (a replica replays a moment later). */
    private static boolean awaitRows(PgboxProject p, String rows) throws Exception {
        for (int i = 0; i < 60; i++) {
            try {
                if (rows.equals(p.admin().value("app", "SELECT string_agg(v::text, ',' ORDER BY v) FROM ledger"))) {
                    return true;
                }
            } catch (RuntimeException e) {
                // not accepting connections yet
            }
            Thread.sleep(500);
        }
        return false;
    }

    private JsonNode cluster() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + MEMBER_ADDRESS + ":" + rest
                + "/cluster")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode leader() throws Exception {
        for (JsonNode m : cluster().path("members")) {
            if (m.path("role").asText().equals("leader")) {
                return m;
            }
        }
        throw new AssertionError("no leader in " + cluster());
    }

    /** Runs pgbox, showing Patroni's log when it fails. */
    private PgboxProject.Run withLogs(String... args) throws Exception {
        return withLogs(project, args);
    }

    private static PgboxProject.Run withLogs(PgboxProject p, String... args) throws Exception {
        PgboxProject.Run r = p.pgbox(args);
        if (r.exitCode() != 0) {
            Path log = p.dir().resolve(".pgbox/log/patroni.log");
            String patroni = Files.exists(log) ? Files.readString(log) : "(no patroni.log)";
            StringBuilder server = new StringBuilder();
            try (var files = Files.list(p.dir().resolve(".pgbox/log"))) {
                // why a replay stopped: the server log's lines about WAL, timelines and recovery since the last two starts
                // (kept short: CI shows only so much of a failure message)
                files.filter(f -> f.getFileName().toString().startsWith("postgresql"))
                        .max(java.util.Comparator.comparing(f -> f.toFile().lastModified())).ifPresent(f -> {
                            try {
                                String t = Files.readString(f);
                                int last = t.lastIndexOf("starting PostgreSQL");
                                int before = last < 0 ? -1 : t.lastIndexOf("starting PostgreSQL", last - 1);
                                server.append(f.getFileName()).append(" (WAL, timeline and recovery lines):\n");
                                t.substring(Math.max(0, before)).lines()
                                        .filter(l -> l.matches(".*(restored log file|could not|ERROR|FATAL|PANIC|WARNING|redo|recovery|"
                                                + "timeline|promot|archive|checkpoint complete|starting PostgreSQL|shut down).*"))
                                        .forEach(l -> server.append(l.length() > 220 ? l.substring(0, 220) : l).append('\n'));
                            } catch (java.io.IOException e) {
                                server.append(e);
                            }
                        });
            }
            // what the archive holds: the newest WAL segments and history files of every timeline
            Path archive = p.dir().resolve(".pgbox/backup/repo/archive/main");
            if (Files.isDirectory(archive)) {
                try (var walk = Files.walk(archive)) {
                    List<String> names = walk.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                            .map(n -> n.length() > 24 && !n.startsWith("archive") ? n.substring(0, n.indexOf('-') < 0 ? n.length() : n.indexOf('-')) : n)
                            .sorted().toList();
                    server.append("archive (last 16 of ").append(names.size()).append("): ")
                            .append(names.subList(Math.max(0, names.size() - 16), names.size())).append('\n');
                }
            }
            assertThat(r.exitCode()).as("pgbox " + String.join(" ", args) + ":\n" + r.all() + "\npatroni.log:\n"
                    + patroni.substring(Math.max(0, patroni.length() - 2500)) + "\n" + server).isZero();
        }
        return r;
    }

    /** Patroni's and etcd's PIDs, so a failed run leaves nothing behind. */
    private void rememberPids() {
        rememberPids(project);
    }

    private void rememberPids(PgboxProject p) {
        Path run = p.dir().resolve(".pgbox/run");
        for (Path f : List.of(run.resolve("patroni.pid"), run.resolve("etcd.pid"))) {
            try {
                if (Files.exists(f)) {
                    pids.add(Long.parseLong(Files.readString(f).strip()));
                }
            } catch (Exception e) {
                // nothing to remember
            }
        }
    }
}
