package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import dev.pgbox.config.Scram;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Physical backups and point-in-time recovery through pgBackRest: the stanza and a first full backup
 * right after the first start (so PITR works from the first minute), backups on demand, restore
 * points, and whole-cluster PITR (stop, restore, replay to the target, promote, wait until writable).
 */
public final class Backups {
    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private final Server server;
    private final PgBackRest pgbackrest;

    public Backups(Server server) {
        this.server = server;
        this.pgbackrest = new PgBackRest(server.settings(), server.layout());
    }

    /** With BACKUP_ENCRYPT=on, makes sure a cipher key exists in .env.secrets (generated once, 0600). */
    public static Settings withCipherKey(Settings s) {
        if (!"on".equals(s.get(Setting.BACKUP_ENCRYPT)) || s.isSet(Setting.BACKUP_CIPHER_PASS)) {
            return s;
        }
        String key = Scram.generatePassword(48);
        Secrets.put(s.projectDir().resolve(Settings.SECRETS_FILE), Setting.BACKUP_CIPHER_PASS.name(), key);
        return s.with(Setting.BACKUP_CIPHER_PASS, key, Settings.SECRETS_FILE + " (generated)");
    }

    public boolean archiving() {
        return "on".equals(server.settings().get(Setting.BACKUP_ARCHIVE));
    }

    public PgBackRest pgbackrest() {
        return pgbackrest;
    }

    /** After every start: pgBackRest's config; the first time, the stanza and a full backup. Returns what it did. */
    public List<String> afterStart(Progress progress) {
        List<String> actions = new ArrayList<>();
        pgbackrest.writeConfig();
        if (archiving() && !pgbackrest.stanzaExists()) {
            progress.step("creating the backup stanza in " + PgBackRestConf.describe(server.settings(), server.layout()));
            pgbackrest.stanzaCreate();
            progress.step("taking the first full backup, so point-in-time recovery works from now on");
            BackupSet first = pgbackrest.backup("full", progress);
            actions.add("took the first full backup " + first.label() + " (" + Size.human(first.sizeBytes()) + ")");
        }
        return actions;
    }

    private void requireArchiving(String what) {
        requireArchiving(what, true);
    }

    /** Archiving on and a stanza present; {@code needsServer}: the server must run too (a disaster restore need not). */
    private void requireArchiving(String what, boolean needsServer) {
        if (!archiving()) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot " + what + ": BACKUP_ARCHIVE is off",
                    "physical backups and point-in-time recovery need continuous WAL archiving",
                    "set BACKUP_ARCHIVE=on in .env.dev and run 'pgbox restart'");
        }
        if (needsServer) {
            server.requireRunning(what);
        } else {
            pgbackrest.writeConfig();
        }
        if (!pgbackrest.stanzaExists()) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot " + what + ": there is no backup stanza yet",
                    "the stanza is made by 'pgbox start' with BACKUP_ARCHIVE=on", "run 'pgbox start'");
        }
    }

    /** A physical backup of {@code type}: full, diff or incr. */
    public BackupSet physical(String type, Progress progress) {
        if (!List.of("full", "diff", "incr").contains(type)) {
            throw new PgboxException(ErrorKind.USAGE, "unknown backup type '" + type + "'", "pgBackRest takes full, diff or incr",
                    "e.g. --type=diff");
        }
        requireArchiving("take a physical backup");
        pgbackrest.writeConfig();
        progress.step("pgBackRest " + type + " backup into " + PgBackRestConf.describe(server.settings(), server.layout()));
        return pgbackrest.backup(type, progress);
    }

    public List<BackupSet> physicalBackups() {
        pgbackrest.writeConfig();
        return pgbackrest.info();
    }

    /** pg_create_restore_point, then a WAL switch so the point reaches the archive promptly. */
    public String restorePoint(String name) {
        RestorePointName.require(name);
        requireArchiving("create a restore point");
        AdminSql sql = server.admin();
        String lsn = sql.value("postgres", "SELECT pg_create_restore_point(" + dev.pgbox.sql.SqlText.literal(name) + ")");
        RestorePoints.record(server.layout(), new RestorePoints.Point(name, Instant.now(), lsn));
        pgbackrest.check();
        return lsn;
    }

    /** Parses "2026-05-07 14:30:00 UTC", "2026-05-07 14:30:00+02", ISO-8601 and friends; the zone is required. */
    public static Instant parseTime(String text) {
        String t = text.strip().replace(" UTC", "Z").replace(" utc", "Z").replace(' ', 'T');
        if (t.matches(".*[+-]\\d{2}$")) {
            t = t + ":00";
        }
        try {
            return java.time.OffsetDateTime.parse(t).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new PgboxException(ErrorKind.USAGE, "cannot read the time '" + text + "'",
                    "expected a date and time with a zone", "e.g. --point-in-time=\"2026-05-07 14:30:00 UTC\" or 2026-05-07T14:30:00+02:00");
        }
    }

    /** What a point-in-time restore did. */
    public record Recovered(String target, String backupLabel, Duration took, String timeline) {
    }

    /**
     * Rewinds the whole cluster to {@code target}. Checks first (before anything is touched) that a
     * backup older than the target exists and that the target is not in the future, archives the last
     * WAL, then stops the server, restores with --delta, replays to the target on the backup's
     * timeline, promotes, and waits until the server accepts writes. A fresh incremental backup then
     * anchors the new timeline for later restores.
     */
    public Recovered pointInTime(Instant target, Progress progress) {
        requireArchiving("restore to a point in time", false);
        Instant now = Instant.now();
        if (target.isAfter(now)) {
            throw new PgboxException(ErrorKind.USAGE, "the target " + PG_TIME.format(target) + " is in the future",
                    "the server's clock says " + PG_TIME.format(now), "pick a time in the past");
        }
        List<BackupSet> sets = pgbackrest.info();
        Optional<BackupSet> base = sets.stream().filter(b -> !b.stop().isAfter(target)).max(Comparator.comparing(BackupSet::stop));
        if (base.isEmpty()) {
            String first = sets.isEmpty() ? "there is no backup at all"
                    : "the oldest backup, " + sets.get(0).label() + ", finished at " + PG_TIME.format(sets.get(0).stop());
            throw new PgboxException(ErrorKind.CONFIG, "cannot restore to " + PG_TIME.format(target) + ": it is before the first backup",
                    first, "pick a later time; 'pgbox db backup --list' shows what can be restored");
        }
        return recover(progress, base.get(), List.of("--type=time", "--target=" + PG_TIME.format(target)), PG_TIME.format(target));
    }

    /**
     * Rewinds one app to {@code target} without touching the others: the cluster is restored to that
     * time in a scratch copy, the app's database is dumped from it (with a manifest of its row counts)
     * and restored into the live server beside the current one, checked, and swapped in. The current
     * database is kept under another name until 'pgbox db restore --cleanup'.
     */
    public FileRestore.Result appPointInTime(String database, Instant target, Progress progress) {
        requireArchiving("restore an app to a point in time");
        if (target.isAfter(Instant.now())) {
            throw new PgboxException(ErrorKind.USAGE, "the target " + PG_TIME.format(target) + " is in the future",
                    "the server's clock says " + PG_TIME.format(Instant.now()), "pick a time in the past");
        }
        List<BackupSet> sets = pgbackrest.info();
        BackupSet base = sets.stream().filter(b -> !b.stop().isAfter(target)).max(Comparator.comparing(BackupSet::stop))
                .orElseThrow(() -> new PgboxException(ErrorKind.CONFIG, "cannot restore to " + PG_TIME.format(target)
                        + ": it is before the first backup", sets.isEmpty() ? "there is no backup at all"
                        : "the oldest backup finished at " + PG_TIME.format(sets.get(0).stop()), "pick a later time"));
        progress.step("archiving the last WAL");
        pgbackrest.check();
        java.nio.file.Path dumps = server.layout().backupDir().resolve("dumps");
        java.nio.file.Path folder = null;
        try (ScratchCluster scratch = ScratchCluster.restore(server.layout(), pgbackrest, base.label(),
                List.of("--type=time", "--target=" + PG_TIME.format(target), "--target-timeline=current"), progress)) {
            String exists = scratch.sql().value("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'");
            if (!"1".equals(exists)) {
                throw new PgboxException(ErrorKind.CONFIG, "app '" + database + "' did not exist at " + PG_TIME.format(target),
                        "the cluster restored to that time has no database of that name", "pick a later time");
            }
            dev.pgbox.cluster.OwnedFiles.directory(dumps, server.layout().osUser(), "rwxr-x---");
            folder = Dumps.newSetFolder(dumps, "app-pitr-" + database + "-", server.layout().osUser()); // unique per run
            progress.step("dumping '" + database + "' as it was at " + PG_TIME.format(target));
            java.nio.file.Path file = folder.resolve(database + ".dump");
            scratch.dump(database, file);
            var manifest = Dumps.JSON.createObjectNode();
            manifest.put("kind", "pgbox app point-in-time dump");
            manifest.put("created_at", Instant.now().toString());
            manifest.put("point_in_time", PG_TIME.format(target));
            manifest.put("format", "custom");
            manifest.put("duration_ms", 0);
            var db = manifest.putArray("databases").addObject();
            db.put("name", database);
            db.put("file", file.getFileName().toString());
            db.put("bytes", java.nio.file.Files.size(file));
            db.put("sha256", Dumps.sha256(file));
            var tables = db.putObject("tables");
            Dumps.rowCounts(scratch.sql(), database).forEach(tables::put);
            dev.pgbox.cluster.OwnedFiles.write(folder.resolve(Dumps.MANIFEST), Dumps.JSON.writeValueAsString(manifest),
                    server.layout().osUser(), "rw-r-----");
        } catch (java.io.IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot write the point-in-time dump in " + folder, e.toString(), "check free space");
        }
        return new FileRestore(server).restore(folder.resolve(database + ".dump"), database, null, true, progress);
    }

    /** Rewinds the whole cluster to a restore point made with 'pgbox db restore-point'. */
    public Recovered toRestorePoint(String name, Progress progress) {
        RestorePointName.require(name); // it becomes recovery_target_name in the server's configuration
        requireArchiving("restore to a restore point", false);
        List<BackupSet> sets = pgbackrest.info();
        if (sets.isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "there is no backup to restore from", "the repository is empty",
                    "take one with 'pgbox db backup --physical'");
        }
        Optional<RestorePoints.Point> point = RestorePoints.find(server.layout(), name);
        BackupSet base = point.flatMap(p -> sets.stream().filter(b -> !b.stop().isAfter(p.time()))
                        .max(Comparator.comparing(BackupSet::stop)))
                .orElse(sets.get(0)); // a point pgbox did not record: replay from the oldest backup, which covers it
        if (point.isPresent() && point.get().time().isBefore(sets.get(0).stop())) {
            throw new PgboxException(ErrorKind.CONFIG, "restore point '" + name + "' is older than every backup",
                    "it was made at " + PG_TIME.format(point.get().time()) + " and the oldest backup finished at "
                            + PG_TIME.format(sets.get(0).stop()), "pick a later restore point");
        }
        return recover(progress, base, List.of("--type=name", "--target=" + name), "restore point " + name);
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
        return new Recovered(targetText, base.label(), Duration.ofNanos(System.nanoTime() - started), timeline);
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

    /** pg_stat_archiver as one object, for status. */
    public List<String> archiverRow() {
        return server.admin().rows("postgres", "SELECT archived_count, coalesce(last_archived_wal, ''), "
                + "coalesce(extract(epoch FROM last_archived_time)::bigint::text, ''), failed_count, coalesce(last_failed_wal, ''), "
                + "coalesce(extract(epoch FROM last_failed_time)::bigint::text, '') FROM pg_stat_archiver").get(0);
    }
}
