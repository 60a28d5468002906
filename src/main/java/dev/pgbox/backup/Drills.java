package dev.pgbox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Server;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Restore drills: "an untested backup is not a backup". The latest physical backup is restored into
 * a scratch cluster on a free port (archiving off, reachable only over its own socket) and every
 * table is read in full, so data checksums are verified page by page; the latest logical dump set is
 * restored into the same scratch cluster and its row counts compared with its manifest; pgbackrest
 * verify checks the repository. The measured restore time (RTO) and the result are recorded.
 */
public final class Drills {
    public static final String HISTORY = "verify-history.json";

    private final Server server;

    public Drills(Server server) {
        this.server = server;
    }

    /** Restores the latest physical backup (or the one labelled {@code backupLabel}) and checks it; records the result. */
    public DrillReport run(String backupLabel, Progress progress) {
        server.requireRunning("run a restore drill");
        HaRestore.requireLeader(server, "run a restore drill");
        PhysicalBackups backups = new PhysicalBackups(server);
        List<BackupSet> sets = backups.archiving() ? backups.list() : List.of();
        BackupSet set = backupLabel == null ? (sets.isEmpty() ? null : sets.get(sets.size() - 1))
                : sets.stream().filter(b -> b.label().equals(backupLabel)).findFirst().orElseThrow(() -> new PgboxException(
                        ErrorKind.CONFIG, "no backup " + backupLabel, "pgBackRest has no backup of that label",
                        "see 'pgbox db backup --list'"));
        if (set == null) {
            throw new PgboxException(ErrorKind.CONFIG, "there is no physical backup to verify", "the repository is empty",
                    "take one with 'pgbox db backup --physical' (or start with BACKUP_ARCHIVE=on)");
        }
        List<String> problems = new ArrayList<>();
        int read = 0;
        int compared = 0;
        JsonNode dumpSet = null;
        try (ScratchCluster scratch = ScratchCluster.restore(server, backups.pgbackrest(), set.label(), List.of("--type=immediate"), progress)) {
            AdminSql sql = scratch.sql();
            progress.step("reading every table of the restored cluster (verifies each page's checksum)");
            List<String> dbs = sql.rows("postgres", "SELECT datname FROM pg_database WHERE datallowconn AND datname <> 'template1' ORDER BY 1")
                    .stream().map(r -> r.get(0)).toList();
            for (String db : dbs) {
                try {
                    read += sql.run(db, Dumps.COUNT_ROWS).lines().filter(x -> x.contains("|")).count();
                } catch (PgboxException e) {
                    problems.add(db + ": " + e.reason());
                }
            }
            List<JsonNode> dumpSets = new Dumps(server).list();
            if (!dumpSets.isEmpty()) {
                dumpSet = dumpSets.get(dumpSets.size() - 1);
                progress.step("restoring the latest dump set " + Path.of(dumpSet.path("path").asText()).getFileName()
                        + " into the scratch cluster and comparing row counts with its manifest");
                compared = compareDumps(scratch.instance(), sql, dumpSet, problems);
            }
            progress.step("pgbackrest verify (every file in the repository against its checksum)");
            try {
                backups.pgbackrest().verify();
            } catch (PgboxException e) {
                problems.add("pgbackrest verify: " + e.reason());
            }
            long restoreMillis = scratch.restoreMillis();
            DrillReport o = new DrillReport(problems.isEmpty(), set.label(), dumpSet == null ? null : dumpSet.path("path").asText(),
                    restoreMillis / 1000.0, read, compared, List.copyOf(problems));
            record(o, restoreMillis, Instant.now());
            return o;
        }
    }

    /** Restores each dump of the set into a fresh database of the scratch cluster and compares every table's rows. */
    private int compareDumps(Instance scratch, AdminSql sql, JsonNode set, List<String> problems) {
        int compared = 0;
        Path folder = Path.of(set.path("path").asText());
        for (JsonNode db : set.path("databases")) {
            String name = "pgbox_verify_" + db.path("name").asText();
            Path file = folder.resolve(db.path("file").asText());
            try {
                if (!Dumps.sha256(file).equals(db.path("sha256").asText())) {
                    problems.add(file.getFileName() + ": SHA-256 differs from the manifest");
                    continue;
                }
            } catch (IOException e) {
                problems.add(file.getFileName() + ": " + e.getMessage());
                continue;
            }
            boolean plain = file.getFileName().toString().endsWith(".sql");
            if (plain) {
                try {
                    PlainDumpGuard.check(file); // psql would run whatever meta-command a crafted file holds
                } catch (dev.pgbox.PgboxException e) {
                    problems.add(file.getFileName() + ": " + e.reason());
                    continue;
                }
            }
            sql.run("postgres", "DROP DATABASE IF EXISTS " + dev.pgbox.sql.SqlText.ident(name) + ";\nCREATE DATABASE "
                    + dev.pgbox.sql.SqlText.ident(name) + " TEMPLATE template0;\n");
            ProcessResult r = ProcessRunner.run((plain
                    ? scratch.client("psql", "-X", "-q", "-d", name, "-f", file.toString())
                    : scratch.client("pg_restore", "-d", name, file.toString())).timeout(Duration.ofHours(6)).build());
            Map<String, Long> got = Dumps.rowCounts(sql, name);
            JsonNode tables = db.path("tables");
            for (var it = tables.fieldNames(); it.hasNext(); ) {
                String t = it.next();
                if (t.startsWith("cron.")) {
                    continue; // pg_cron lives only in cron.database_name
                }
                compared++;
                Long n = got.get(t);
                if (n == null || n != tables.path(t).asLong()) {
                    problems.add(db.path("name").asText() + "." + t + ": manifest " + tables.path(t).asLong() + " rows, restored " + n
                            + (r.ok() ? "" : " (pg_restore: " + r.tail(1) + ")"));
                }
            }
        }
        return compared;
    }

    private void record(DrillReport o, long restoreMillis, Instant at) {
        Path file = server.layout().backupDir().resolve(HISTORY);
        try {
            ArrayNode history = Files.exists(file) ? (ArrayNode) Dumps.JSON.readTree(file.toFile()) : Dumps.JSON.createArrayNode();
            ObjectNode n = history.addObject();
            n.put("at", at.toString());
            n.put("ok", o.ok());
            n.put("physical_backup", o.physicalBackup());
            n.put("dump_set", o.dumpSet());
            n.put("restore_ms", restoreMillis);
            n.put("tables_read", o.tablesRead());
            n.put("tables_compared", o.tablesCompared());
            ArrayNode p = n.putArray("problems");
            o.problems().forEach(p::add);
            while (history.size() > 100) {
                history.remove(0);
            }
            Files.createDirectories(file.getParent());
            // owned by the OS user: the agent (running as that user) records its drills here too
            dev.pgbox.cluster.OwnedFiles.write(file, Dumps.JSON.writeValueAsString(history), server.layout().osUser(), "rw-r--r--");
        } catch (IOException | ClassCastException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot record the drill in " + file, e.toString(), "check the backup folder");
        }
    }

    /** Physical backup label (and dump set path) to the time of its last successful drill. */
    public java.util.Map<String, String> verifiedAt() {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        Path file = server.layout().backupDir().resolve(HISTORY);
        try {
            if (Files.exists(file)) {
                for (JsonNode n : Dumps.JSON.readTree(file.toFile())) {
                    if (n.path("ok").asBoolean()) {
                        out.put(n.path("physical_backup").asText(), n.path("at").asText());
                        if (!n.path("dump_set").isNull()) {
                            out.put(n.path("dump_set").asText(), n.path("at").asText());
                        }
                    }
                }
            }
        } catch (IOException e) {
            // no history: nothing verified
        }
        return out;
    }

    /** The newest successful drill, if any. */
    public JsonNode lastGood() {
        Path file = server.layout().backupDir().resolve(HISTORY);
        try {
            if (!Files.exists(file)) {
                return null;
            }
            JsonNode last = null;
            for (JsonNode n : Dumps.JSON.readTree(file.toFile())) {
                if (n.path("ok").asBoolean()) {
                    last = n;
                }
            }
            return last;
        } catch (IOException e) {
            return null;
        }
    }
}
