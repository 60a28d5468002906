package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import dev.pgbox.cluster.PatroniRest.TimelineSwitch;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberTimelineTest {
    private static final long SEG = 16L * 1024 * 1024;
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static Instant at(String hhmm) {
        return Instant.parse("2026-12-01T" + hhmm + ":00Z");
    }

    private static BackupSet backup(String label, String stop, String walStart, String walStop) {
        return new BackupSet(label, "full", at(stop).minusSeconds(30), at(stop), 1, 1, walStart, walStop);
    }

    /** ha init at 10:00 (1 -> 2, Patroni's promotion), a restart at 10:30 (2 -> 3). */
    private static final List<TimelineSwitch> RESTARTS = List.of(new TimelineSwitch(1, 0x5000000L, null),
            new TimelineSwitch(2, 0x9000000L, at("10:30")));

    @Test
    void aTargetAfterRestartsFollowsTheLiveTimelineFromAnOlderBackup() {
        BackupSet first = backup("first", "09:00", "000000010000000000000002", "000000010000000000000002");
        MemberTimeline.Choice c = MemberTimeline.choose(RESTARTS, 3, List.of(first), at("11:00"), NOW, SEG);
        assertThat(c.timeline()).isEqualTo(3);
        assertThat(c.base().label()).isEqualTo("first");
        // before the restart, timeline 2 ran
        assertThat(MemberTimeline.choose(RESTARTS, 3, List.of(first), at("10:15"), NOW, SEG).timeline()).isEqualTo(2);
    }

    @Test
    void aBackupOnHistoryAnEarlierRestoreLeftBehindIsSkipped() {
        // timeline 2 was rewound at 11:00 to LSN 0/7000000 (timeline 3); "late" was taken on 2 after that point
        List<TimelineSwitch> rewound = List.of(new TimelineSwitch(1, 0x5000000L, null), new TimelineSwitch(2, 0x7000000L, at("11:00")));
        BackupSet early = backup("early", "10:00", "000000020000000000000005", "000000020000000000000005");
        BackupSet late = backup("late", "10:45", "000000020000000000000008", "000000020000000000000008");
        BackupSet anchor = backup("anchor", "11:01", "000000030000000000000009", "000000030000000000000009");
        List<BackupSet> sets = List.of(early, late, anchor);
        // after the rewind: timeline 3, and 'late' is not on its history
        MemberTimeline.Choice after = MemberTimeline.choose(rewound, 3, List.of(early, late), at("11:30"), NOW, SEG);
        assertThat(after.timeline()).isEqualTo(3);
        assertThat(after.base().label()).isEqualTo("early");
        assertThat(MemberTimeline.choose(rewound, 3, sets, at("11:30"), NOW, SEG).base().label()).isEqualTo("anchor");
        // before the rewind ran, timeline 2 was live, 'late' included
        MemberTimeline.Choice before = MemberTimeline.choose(rewound, 3, sets, at("10:50"), NOW, SEG);
        assertThat(before.timeline()).isEqualTo(2);
        assertThat(before.base().label()).isEqualTo("late");
    }

    @Test
    void noBackupOnTheLiveHistoryIsAClearErrorAndTheUsualChecksStay() {
        List<TimelineSwitch> rewound = List.of(new TimelineSwitch(2, 0x7000000L, at("11:00")));
        BackupSet late = backup("late", "10:45", "000000020000000000000008", "000000020000000000000008");
        assertThatThrownBy(() -> MemberTimeline.choose(rewound, 3, List.of(late), at("11:30"), NOW, SEG))
                .isInstanceOf(PgboxException.class).hasMessageContaining("no backup lies on the history");
        assertThatThrownBy(() -> MemberTimeline.choose(rewound, 3, List.of(late), at("13:00"), NOW, SEG))
                .isInstanceOf(PgboxException.class).hasMessageContaining("in the future");
        assertThatThrownBy(() -> MemberTimeline.choose(rewound, 3, List.of(late), at("08:00"), NOW, SEG))
                .isInstanceOf(PgboxException.class).hasMessageContaining("before the first backup");
    }

    @Test
    void anUnrecordedRestorePointReplaysFromTheOldestBackupOnTheCurrentHistory() {
        List<TimelineSwitch> rewound = List.of(new TimelineSwitch(2, 0x7000000L, at("11:00")));
        BackupSet early = backup("early", "10:00", "000000020000000000000005", "000000020000000000000005");
        BackupSet late = backup("late", "10:45", "000000020000000000000008", "000000020000000000000008");
        MemberTimeline.Choice c = MemberTimeline.oldestOnCurrent(rewound, 3, List.of(late, early), SEG);
        assertThat(c.base().label()).isEqualTo("early");
        assertThat(c.timeline()).isEqualTo(3);
    }

    @Test
    void walFileNamesGiveTimelineAndEnd() {
        assertThat(MemberTimeline.timeline("0000000A0000000100000002")).isEqualTo(10);
        assertThat(MemberTimeline.segmentEnd("0000000A0000000100000002", SEG)).isEqualTo((1L << 32) + 3 * SEG);
        assertThat(MemberTimeline.timeline("")).isNull();
    }
}
