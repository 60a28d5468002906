package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Physical backups of the whole cluster through pgBackRest: the stanza and a first full backup right
 * after the first start (so point-in-time recovery works from the first minute), backups on demand
 * or on schedule, and the list of what the repository holds. pgBackRest expires old backups by the
 * retention settings after each backup.
 */
public final class PhysicalBackups {
    private static final List<String> TYPES = List.of("full", "diff", "incr");

    private final Server server;
    private final PgBackRest pgbackrest;

    public PhysicalBackups(Server server) {
        this.server = server;
        this.pgbackrest = new PgBackRest(server.settings(), server.layout());
    }

    /** The project's server, with the cipher key its repository needs (generated the first time). */
    public static PhysicalBackups open(Settings s) {
        return new PhysicalBackups(Server.open(CipherKey.ensure(s)));
    }

    public Server server() {
        return server;
    }

    public PgBackRest pgbackrest() {
        return pgbackrest;
    }

    public boolean archiving() {
        return "on".equals(server.settings().get(Setting.BACKUP_ARCHIVE));
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

    /** Archiving on and a stanza present; {@code needsServer}: the server must run too (a disaster restore need not). */
    void requireArchiving(String what, boolean needsServer) {
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
    public BackupSet take(String type, Progress progress) {
        if (!TYPES.contains(type)) {
            throw new PgboxException(ErrorKind.USAGE, "unknown backup type '" + type + "'", "pgBackRest takes full, diff or incr",
                    "e.g. --type=diff");
        }
        HaRestore.requireLeader(server, "take a physical backup"); // before the stanza check: a replica member has none
        requireArchiving("take a physical backup", true);
        pgbackrest.writeConfig();
        progress.step("pgBackRest " + type + " backup into " + PgBackRestConf.describe(server.settings(), server.layout()));
        return pgbackrest.backup(type, progress);
    }

    /** The scheduled backup: full when the last full one is older than BACKUP_FULL_EVERY (or there is none), else differential. */
    public BackupSet takeScheduled(Progress progress) {
        return take(scheduledType(list(), server.settings().millis(Setting.BACKUP_FULL_EVERY), Instant.now()), progress);
    }

    /** full or diff: which backup a schedule takes now, given what the repository holds. */
    static String scheduledType(List<BackupSet> sets, long fullEveryMillis, Instant now) {
        Instant lastFull = sets.stream().filter(b -> b.type().equals("full")).map(BackupSet::stop)
                .max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        return lastFull.plusMillis(fullEveryMillis).isBefore(now) ? "full" : "diff";
    }

    /** Every backup in the repository, oldest first. */
    public List<BackupSet> list() {
        pgbackrest.writeConfig();
        return pgbackrest.info();
    }

    /**
     * pg_stat_archiver for status: archived count, last archived WAL, its time (epoch seconds or ""),
     * failed count, last failed WAL, its time.
     */
    public List<String> archiverRow() {
        return server.admin().rows("postgres", "SELECT archived_count, coalesce(last_archived_wal, ''), "
                + "coalesce(extract(epoch FROM last_archived_time)::bigint::text, ''), failed_count, coalesce(last_failed_wal, ''), "
                + "coalesce(extract(epoch FROM last_failed_time)::bigint::text, '') FROM pg_stat_archiver").get(0);
    }
}
