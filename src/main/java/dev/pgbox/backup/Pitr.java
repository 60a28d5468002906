package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Size;
import dev.pgbox.sql.AdminSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Point-in-time recovery from pgBackRest's backups and archived WAL: the whole cluster (stop, restore
 * with --delta, replay to the target, promote, wait until writable) to a time or a restore point, or
 * one app to a time without touching the others (through a scratch copy of the cluster).
 */
public final class Pitr {
    private final Server server;
    private final PhysicalBackups physical;
    private final PgBackRest pgbackrest;

    public Pitr(PhysicalBackups physical) {
        this.physical = physical;
        this.server = physical.server();
        this.pgbackrest = physical.pgbackrest();
    }

    /** What a whole-cluster restore did. */
    public record Recovered(String target, String backupLabel, long tookMillis, String timeline) implements Restores.Outcome {
    }

    /** The backup to replay from: refuses a target in the future or before the first backup (see {@link RecoveryTarget#baseBackup}). */
    private BackupSet baseFor(Instant target) {
        return RecoveryTarget.baseBackup(pgbackrest.info(), target, Instant.now());
    }

    /**
     * Rewinds the whole cluster to {@code target}. Checks first (before anything is touched) that a
     * backup older than the target exists and that the target is not in the future, archives the last
     * WAL, then stops the server, restores with --delta, replays to the target on the backup's
     * timeline, promotes, and waits until the server accepts writes. A fresh incremental backup then
     * anchors the new timeline for later restores.
     */
    public Recovered wholeCluster(Instant target, Progress progress) {
        HaRestore.requireLeader(server, "restore to a point in time"); // first: a replica member has no stanza to check
        physical.requireArchiving("restore to a point in time", false);
        String at = RecoveryTarget.pg(target);
        HaRestore ha = HaRestore.of(server);
        if (ha != null) {
            server.requireRunning("restore an HA member to a point in time");
            MemberTimeline.Choice c = MemberTimeline.choose(ha.history(), currentTimeline(), pgbackrest.info(), target, Instant.now(),
                    segmentBytes());
            return recoverMember(ha, progress, c.base(), List.of("--type=time", "--target=" + at, "--target-timeline=" + c.timeline()), at);
        }
        BackupSet base = baseFor(target);
        return recover(progress, base, List.of("--type=time", "--target=" + at), at);
    }

    /** Rewinds the whole cluster to a restore point made with 'pgbox db restore-point'. */
    public Recovered toRestorePoint(String name, Progress progress) {
        RestorePointName.require(name); // it becomes recovery_target_name in the server's configuration
        HaRestore.requireLeader(server, "restore to a restore point");
        physical.requireArchiving("restore to a restore point", false);
        List<BackupSet> sets = pgbackrest.info();
        if (sets.isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "there is no backup to restore from", "the repository is empty",
                    "take one with 'pgbox db backup --physical'");
        }
        Optional<RestorePoints.Point> point = RestorePoints.find(server.layout(), name);
        HaRestore ha = HaRestore.of(server);
        if (ha != null) {
            server.requireRunning("restore an HA member to a restore point");
            MemberTimeline.Choice c = point.isPresent()
                    ? MemberTimeline.choose(ha.history(), currentTimeline(), sets, point.get().time(), Instant.now(), segmentBytes())
                    : MemberTimeline.oldestOnCurrent(ha.history(), currentTimeline(), sets, segmentBytes());
            return recoverMember(ha, progress, c.base(), List.of("--type=name", "--target=" + name, "--target-timeline=" + c.timeline()),
                    "restore point " + name);
        }
        BackupSet base = point.flatMap(p -> sets.stream().filter(b -> !b.stop().isAfter(p.time()))
                        .max(Comparator.comparing(BackupSet::stop)))
                .orElse(sets.get(0)); // a point pgbox did not record: replay from the oldest backup, which covers it
        if (point.isPresent() && point.get().time().isBefore(sets.get(0).stop())) {
            throw new PgboxException(ErrorKind.CONFIG, "restore point '" + name + "' is older than every backup",
                    "it was made at " + RecoveryTarget.pg(point.get().time()) + " and the oldest backup finished at "
                            + RecoveryTarget.pg(sets.get(0).stop()), "pick a later restore point");
        }
        return recover(progress, base, List.of("--type=name", "--target=" + name), "restore point " + name);
    }

    /**
     * Rewinds one app to {@code target} without touching the others: the cluster is restored to that
     * time in a scratch copy, the app's database is dumped from it (with a manifest of its row counts)
     * and restored into the live server beside the current one, checked, and swapped in. The current
     * database is kept under another name until 'pgbox db restore --cleanup'.
     */
    public FileRestore.Result oneApp(String database, Instant target, Progress progress) {
        physical.server().requireRunning("restore an app to a point in time");
        HaRestore.requireLeader(server, "restore an app to a point in time");
        physical.requireArchiving("restore an app to a point in time", true);
        BackupSet base = baseFor(target);
        String at = RecoveryTarget.pg(target);
        progress.step("archiving the last WAL");
        pgbackrest.check();
        Path dumps = server.layout().backupDir().resolve("dumps");
        Path folder = null;
        try (ScratchCluster scratch = ScratchCluster.restore(server, pgbackrest, base.label(),
                List.of("--type=time", "--target=" + at, "--target-timeline=current"), progress)) {
            String exists = scratch.sql().value("postgres", "SELECT count(*) FROM pg_database WHERE datname = $1", database);
            if (!"1".equals(exists)) {
                throw new PgboxException(ErrorKind.CONFIG, "app '" + database + "' did not exist at " + at,
                        "the cluster restored to that time has no database of that name", "pick a later time");
            }
            OwnedFiles.directory(dumps, server.layout().osUser(), "rwxr-x---");
            folder = Dumps.newSetFolder(dumps, "app-pitr-" + database + "-", server.layout().osUser()); // unique per run
            progress.step("dumping '" + database + "' as it was at " + at);
            Path file = folder.resolve(database + ".dump");
            scratch.dump(database, file);
            var manifest = Dumps.JSON.createObjectNode();
            manifest.put("kind", "pgbox app point-in-time dump");
            manifest.put("created_at", Instant.now().toString());
            manifest.put("point_in_time", at);
            manifest.put("format", "custom");
            manifest.put("duration_ms", 0);
            var db = manifest.putArray("databases").addObject();
            db.put("name", database);
            db.put("file", file.getFileName().toString());
            db.put("bytes", Files.size(file));
            db.put("sha256", Dumps.sha256(file));
            var tables = db.putObject("tables");
            Dumps.rowCounts(scratch.sql(), database).forEach(tables::put);
            OwnedFiles.write(folder.resolve(Dumps.MANIFEST), Dumps.JSON.writeValueAsString(manifest), server.layout().osUser(), "rw-r-----");
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot write the point-in-time dump in " + folder, e.toString(), "check free space");
        }
        return new FileRestore(server).restore(folder.resolve(database + ".dump"), database, null, true, progress);
    }

    private Recovered recover(Progress progress, BackupSet base, List<String> targetOptions, String targetText) {
        long started = System.nanoTime();
        if (server.running()) {
            progress.step("archiving the last WAL so nothing committed before the target is missing");
            pgbackrest.check();
            progress.step("stopping the server");
            server.stop();
        } else {
            progress.step("the server is stopped: restoring from what the repository holds (WAL not yet archived is not there)");
        }
        progress.step("restoring backup " + base.label() + " (" + Size.human(base.sizeBytes()) + ") with --delta");
        List<String> options = new ArrayList<>(List.of("--delta", "--set=" + base.label(), "--target-action=promote",
                "--target-timeline=current"));
        options.addAll(targetOptions);
        pgbackrest.restore(progress, options);
        progress.step("replaying WAL to " + targetText + ", then promoting");
        Duration timeout = Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)).multipliedBy(10);
        server.launch(timeout, false);
        awaitPromoted(timeout);
        String timeline = server.admin().value("postgres", "SELECT timeline_id FROM pg_control_checkpoint()");
        progress.step("taking an incremental backup on the new timeline " + timeline);
        pgbackrest.backup("incr", progress);
        return new Recovered(targetText, base.label(), Duration.ofNanos(System.nanoTime() - started).toMillis(), timeline);
    }

    /**
     * The same rewind on an HA member, through Patroni (see {@link HaRestore}): only on the leader, with
     * PostgreSQL running (the last WAL is archived first); PostgreSQL is stopped and started with pg_ctl
     * while Patroni is paused, and the other members are re-initialised from it afterwards.
     */
    private Recovered recoverMember(HaRestore ha, Progress progress, BackupSet base, List<String> targetOptions, String targetText) {
        long started = System.nanoTime();
        progress.step("archiving the last WAL so nothing committed before the target is missing");
        pgbackrest.check();
        Duration timeout = Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)).multipliedBy(10);
        List<String> members = ha.rewind(() -> {
            progress.step("restoring backup " + base.label() + " (" + Size.human(base.sizeBytes()) + ") with --delta");
            List<String> options = new ArrayList<>(List.of("--delta", "--set=" + base.label(), "--target-action=promote"));
            options.addAll(targetOptions);
            pgbackrest.restore(progress, options);
            progress.step("replaying WAL to " + targetText + ", then promoting (PostgreSQL started by pg_ctl; Patroni is paused)");
            PgCtl.start(server.layout(), server.layout().dataDir(), timeout);
            awaitPromoted(timeout);
        }, progress);
        members.forEach(progress::detail);
        String timeline = Integer.toString(currentTimeline()); // the checkpoint's timeline lags right after a promotion
        progress.step("taking an incremental backup on the new timeline " + timeline);
        pgbackrest.backup("incr", progress);
        return new Recovered(targetText, base.label(), Duration.ofNanos(System.nanoTime() - started).toMillis(), timeline);
    }

    /** The timeline the server writes WAL on now (its current WAL file's first 8 hex digits). */
    private int currentTimeline() {
        return Integer.parseInt(server.admin().value("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())").substring(0, 8), 16);
    }

    private long segmentBytes() {
        return Long.parseLong(server.admin().value("postgres", "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"));
    }

    private void awaitPromoted(Duration timeout) {
        AdminSql.NotWritable why = server.admin().awaitWritable(timeout, server::running);
        if (why == null) {
            return;
        }
        if (why.stopped()) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "recovery stopped before reaching the target",
                    "the server shut down during recovery (see " + server.layout().logDir() + ")",
                    "the target may lie after the last archived WAL; pick an earlier time");
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "recovery did not finish within " + timeout.toSeconds() + "s", why.lastState(),
                "watch the log in " + server.layout().logDir() + "; raise PGBOX_START_TIMEOUT for long replays");
    }
}
