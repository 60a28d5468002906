package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.PatroniRest.TimelineSwitch;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which timeline an HA member's replay to a time follows, and from which backup. Patroni starts a new
 * timeline at every restart, switchover and failover, so a replay that stays on the backup's timeline
 * (as on a plain server) would stop short of most targets; following the newest timeline instead
 * would run past a target that lies in history an earlier restore discarded. The timeline that was
 * live at the target is the one to follow: Patroni's /history says when each timeline ended. The
 * backup must lie on that timeline's history (before the point where its own timeline was left). Pure.
 */
final class MemberTimeline {
    /** What to replay: this timeline, from this backup. */
    record Choice(int timeline, BackupSet base) {
    }

    private MemberTimeline() {
    }

    /**
     * @param history the switches leading to {@code current}, oldest first
     * @param current the timeline the member runs on now
     * @param segmentBytes the WAL segment size (wal_segment_size), to place a backup's WAL files
     */
    static Choice choose(List<TimelineSwitch> history, int current, List<BackupSet> sets, Instant target, Instant now, long segmentBytes) {
        RecoveryTarget.baseBackup(sets, target, now); // the future and before-the-first-backup checks, with their messages
        int live = liveAt(history, current, target);
        Map<Integer, Long> ancestors = new HashMap<>(); // timeline -> the LSN where the history leading to 'live' left it
        for (TimelineSwitch s : history) {
            if (s.timeline() == live) {
                break;
            }
            ancestors.put(s.timeline(), s.lsn());
        }
        return sets.stream().filter(b -> !b.stop().isAfter(target)).filter(b -> onHistory(b, live, ancestors, segmentBytes))
                .max(Comparator.comparing(BackupSet::stop)).map(b -> new Choice(live, b))
                .orElseThrow(() -> new PgboxException(ErrorKind.CONFIG, "cannot restore to " + RecoveryTarget.pg(target)
                        + ": no backup lies on the history the cluster ran at that time (timeline " + live + ")",
                        "the backups before that time belong to history a failover or an earlier restore left behind",
                        "pick a later time; 'pgbox db backup --list' shows the backups"));
    }

    /**
     * For a restore point pgbox did not record (its time unknown): the current timeline, from the oldest
     * backup on its history, which covers every point made since.
     */
    static Choice oldestOnCurrent(List<TimelineSwitch> history, int current, List<BackupSet> sets, long segmentBytes) {
        Map<Integer, Long> ancestors = new HashMap<>();
        history.forEach(s -> ancestors.put(s.timeline(), s.lsn()));
        return sets.stream().filter(b -> onHistory(b, current, ancestors, segmentBytes)).min(Comparator.comparing(BackupSet::stop))
                .map(b -> new Choice(current, b))
                .orElseThrow(() -> new PgboxException(ErrorKind.CONFIG, "no backup lies on the history the cluster runs on now (timeline "
                        + current + ")", "every backup belongs to history a failover or an earlier restore left behind",
                        "take one with 'pgbox db backup --physical'"));
    }

    /** The timeline that ran at {@code target}: the first one in the history that ended after it, else the current one. */
    static int liveAt(List<TimelineSwitch> history, int current, Instant target) {
        for (TimelineSwitch s : history) {
            if (s.at() != null && s.at().isAfter(target)) {
                return s.timeline();
            }
        }
        return current;
    }

    /** Whether a replay along {@code live}'s history can start from backup {@code b}. */
    static boolean onHistory(BackupSet b, int live, Map<Integer, Long> ancestors, long segmentBytes) {
        Integer tl = timeline(b.walStart());
        if (tl == null) {
            return false;
        }
        if (tl == live) {
            return true;
        }
        Long left = ancestors.get(tl);
        Long stopEnd = segmentEnd(b.walStop(), segmentBytes);
        return left != null && stopEnd != null && stopEnd <= left;
    }

    /** The timeline of a WAL file name (its first 8 hex digits), or null. */
    static Integer timeline(String walFile) {
        return walFile != null && walFile.matches("[0-9A-F]{24}") ? Integer.parseInt(walFile.substring(0, 8), 16) : null;
    }

    /** The LSN just past the end of a WAL file, or null. */
    static Long segmentEnd(String walFile, long segmentBytes) {
        if (walFile == null || !walFile.matches("[0-9A-F]{24}")) {
            return null;
        }
        long log = Long.parseLong(walFile.substring(8, 16), 16);
        long seg = Long.parseLong(walFile.substring(16, 24), 16);
        return (log << 32) + (seg + 1) * segmentBytes;
    }
}
