package dev.pgbox.monitor;

import dev.pgbox.config.Durations;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.util.function.Function;

/**
 * The doctor's limits, read once from the PGBOX_DOCTOR_* settings. Durations are in seconds, sizes in
 * bytes, shares in percent.
 */
public record Thresholds(int connectionsWarn, int connectionsCritical, double idleWarn, double idleCritical, double longTxWarn,
                         double longTxCritical, double blockedWarn, double blockedCritical, long deadMin, int deadWarn, int deadCritical,
                         long xidWarn, long xidCritical, int cacheWarn, int cacheCritical, long cacheMinReads, double lagWarn,
                         double lagCritical, long lagBytesWarn, long lagBytesCritical, double archiveStale, int checkpointsReqWarn,
                         long checkpointsMin, int diskWarn, int diskCritical, int diskDaysWarn, int diskDaysCritical, int sequenceWarn,
                         int sequenceCritical, int backupWarnPeriods, int backupCriticalPeriods, double crashWindow) {

    /** The limits in these settings. */
    public static Thresholds of(Settings s) {
        return from(s::get);
    }

    /** The catalogue's defaults (what a project without PGBOX_DOCTOR_* lines gets). */
    public static Thresholds defaults() {
        return from(Setting::defaultValue);
    }

    private static Thresholds from(Function<Setting, String> v) {
        Function<Setting, Integer> i = s -> Integer.parseInt(v.apply(s));
        Function<Setting, Double> sec = s -> Durations.parseMillis(v.apply(s)) / 1000.0;
        Function<Setting, Long> bytes = s -> Size.parse(v.apply(s));
        return new Thresholds(i.apply(Setting.PGBOX_DOCTOR_CONNECTIONS_WARN), i.apply(Setting.PGBOX_DOCTOR_CONNECTIONS_CRITICAL),
                sec.apply(Setting.PGBOX_DOCTOR_IDLE_TRANSACTION_WARN), sec.apply(Setting.PGBOX_DOCTOR_IDLE_TRANSACTION_CRITICAL),
                sec.apply(Setting.PGBOX_DOCTOR_LONG_TRANSACTION_WARN), sec.apply(Setting.PGBOX_DOCTOR_LONG_TRANSACTION_CRITICAL),
                sec.apply(Setting.PGBOX_DOCTOR_BLOCKED_WARN), sec.apply(Setting.PGBOX_DOCTOR_BLOCKED_CRITICAL),
                i.apply(Setting.PGBOX_DOCTOR_DEAD_TUPLES_MIN), i.apply(Setting.PGBOX_DOCTOR_DEAD_TUPLES_WARN),
                i.apply(Setting.PGBOX_DOCTOR_DEAD_TUPLES_CRITICAL), i.apply(Setting.PGBOX_DOCTOR_XID_AGE_WARN) * 1_000_000L,
                i.apply(Setting.PGBOX_DOCTOR_XID_AGE_CRITICAL) * 1_000_000L, i.apply(Setting.PGBOX_DOCTOR_CACHE_HIT_WARN),
                i.apply(Setting.PGBOX_DOCTOR_CACHE_HIT_CRITICAL), i.apply(Setting.PGBOX_DOCTOR_CACHE_MIN_READS),
                sec.apply(Setting.PGBOX_DOCTOR_REPLICATION_LAG_WARN), sec.apply(Setting.PGBOX_DOCTOR_REPLICATION_LAG_CRITICAL),
                bytes.apply(Setting.PGBOX_DOCTOR_REPLICATION_LAG_BYTES_WARN), bytes.apply(Setting.PGBOX_DOCTOR_REPLICATION_LAG_BYTES_CRITICAL),
                sec.apply(Setting.PGBOX_DOCTOR_ARCHIVE_STALE), i.apply(Setting.PGBOX_DOCTOR_CHECKPOINTS_REQ_WARN),
                i.apply(Setting.PGBOX_DOCTOR_CHECKPOINTS_MIN), i.apply(Setting.PGBOX_DOCTOR_DISK_WARN),
                i.apply(Setting.PGBOX_DOCTOR_DISK_CRITICAL), i.apply(Setting.PGBOX_DOCTOR_DISK_DAYS_WARN),
                i.apply(Setting.PGBOX_DOCTOR_DISK_DAYS_CRITICAL), i.apply(Setting.PGBOX_DOCTOR_SEQUENCE_WARN),
                i.apply(Setting.PGBOX_DOCTOR_SEQUENCE_CRITICAL), i.apply(Setting.PGBOX_DOCTOR_BACKUP_WARN_PERIODS),
                i.apply(Setting.PGBOX_DOCTOR_BACKUP_CRITICAL_PERIODS), sec.apply(Setting.PGBOX_DOCTOR_CRASH_WINDOW));
    }
}
