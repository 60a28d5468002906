package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;

/**
 * Point-in-time targets, pure: reading the time a user typed, writing it the way PostgreSQL's
 * recovery_target_time reads it, and choosing the backup a replay to it starts from.
 */
public final class RecoveryTarget {
    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private RecoveryTarget() {
    }

    /** Parses "2026-05-07 14:30:00 UTC", "2026-05-07 14:30:00+02", ISO-8601 and friends; the zone is required. */
    public static Instant parse(String text) {
        String t = text == null ? "" : text.strip().replace(" UTC", "Z").replace(" utc", "Z").replace(' ', 'T');
        if (t.matches(".*[+-]\\d{2}$")) {
            t = t + ":00";
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new PgboxException(ErrorKind.USAGE, "cannot read the time '" + text + "'",
                    "expected a date and time with a zone", "e.g. --point-in-time=\"2026-05-07 14:30:00 UTC\" or 2026-05-07T14:30:00+02:00");
        }
    }

    /** The time as pgBackRest passes it to recovery_target_time: microseconds, UTC offset. */
    public static String pg(Instant t) {
        return PG_TIME.format(t);
    }

    /**
     * The backup a replay to {@code target} starts from: the newest one that finished at or before it.
     * Refuses a target in the future (by {@code now}) and one before the first backup; the one place
     * both checks live, for whole-cluster and one-app recovery alike.
     */
    public static BackupSet baseBackup(List<BackupSet> sets, Instant target, Instant now) {
        if (target.isAfter(now)) {
            throw new PgboxException(ErrorKind.USAGE, "the target " + pg(target) + " is in the future",
                    "the server's clock says " + pg(now), "pick a time in the past");
        }
        return sets.stream().filter(b -> !b.stop().isAfter(target)).max(Comparator.comparing(BackupSet::stop))
                .orElseThrow(() -> new PgboxException(ErrorKind.CONFIG, "cannot restore to " + pg(target) + ": it is before the first backup",
                        sets.isEmpty() ? "there is no backup at all"
                                : "the oldest backup, " + oldest(sets).label() + ", finished at " + pg(oldest(sets).stop()),
                        "pick a later time; 'pgbox db backup --list' shows what can be restored"));
    }

    private static BackupSet oldest(List<BackupSet> sets) {
        return sets.stream().min(Comparator.comparing(BackupSet::stop)).orElseThrow();
    }
}
