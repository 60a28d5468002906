package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryTargetTest {
    private static final Instant NOW = Instant.parse("2026-05-07T18:00:00Z");
    private static final BackupSet FULL = set("20260507-100000F", "full", "2026-05-07T10:00:00Z", "2026-05-07T10:05:00Z");
    private static final BackupSet DIFF = set("20260507-100000F_20260507-120000D", "diff", "2026-05-07T12:00:00Z", "2026-05-07T12:01:00Z");

    static BackupSet set(String label, String type, String start, String stop) {
        return new BackupSet(label, type, Instant.parse(start), Instant.parse(stop), 100, 10, "000000010000000000000001",
                "000000010000000000000002");
    }

    @Test
    void timesParseWithZones() {
        assertThat(RecoveryTarget.parse("2026-05-07 14:30:00 UTC")).isEqualTo(Instant.parse("2026-05-07T14:30:00Z"));
        assertThat(RecoveryTarget.parse("2026-05-07 14:30:00 utc")).isEqualTo(Instant.parse("2026-05-07T14:30:00Z"));
        assertThat(RecoveryTarget.parse("2026-05-07 14:30:00.25+02")).isEqualTo(Instant.parse("2026-05-07T12:30:00.250Z"));
        assertThat(RecoveryTarget.parse("2026-05-07T14:30:00-05:30")).isEqualTo(Instant.parse("2026-05-07T20:00:00Z"));
        assertThat(RecoveryTarget.parse("  2026-05-07T14:30:00Z ")).isEqualTo(Instant.parse("2026-05-07T14:30:00Z"));
    }

    @Test
    void aTimeWithoutZoneOrNotATimeIsAUsageError() {
        for (String bad : new String[] {"yesterday", "2026-05-07 14:30:00", "", "2026-13-07 14:30:00 UTC"}) {
            assertThatThrownBy(() -> RecoveryTarget.parse(bad)).isInstanceOfSatisfying(PgboxException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
                assertThat(e.getMessage()).contains("cannot read the time");
            });
        }
        assertThatThrownBy(() -> RecoveryTarget.parse(null)).isInstanceOf(PgboxException.class);
    }

    @Test
    void pgFormIsMicrosecondsInUtc() {
        assertThat(RecoveryTarget.pg(Instant.parse("2026-05-07T12:30:00.25Z"))).isEqualTo("2026-05-07 12:30:00.250000+00:00");
    }

    @Test
    void theBaseIsTheNewestBackupFinishedByTheTarget() {
        List<BackupSet> sets = List.of(FULL, DIFF);
        assertThat(RecoveryTarget.baseBackup(sets, Instant.parse("2026-05-07T11:00:00Z"), NOW)).isEqualTo(FULL);
        assertThat(RecoveryTarget.baseBackup(sets, Instant.parse("2026-05-07T12:01:00Z"), NOW)).isEqualTo(DIFF);
        assertThat(RecoveryTarget.baseBackup(sets, Instant.parse("2026-05-07T17:00:00Z"), NOW)).isEqualTo(DIFF);
    }

    @Test
    void aTargetInTheFutureOrBeforeTheFirstBackupIsRefused() {
        List<BackupSet> sets = List.of(DIFF, FULL); // order as given does not matter
        assertThatThrownBy(() -> RecoveryTarget.baseBackup(sets, NOW.plusSeconds(60), NOW))
                .isInstanceOfSatisfying(PgboxException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
                    assertThat(e.getMessage()).contains("in the future");
                });
        assertThatThrownBy(() -> RecoveryTarget.baseBackup(sets, Instant.parse("2026-05-07T10:04:59Z"), NOW))
                .isInstanceOfSatisfying(PgboxException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
                    assertThat(e.getMessage()).contains("before the first backup");
                    assertThat(e.reason()).contains("oldest backup", FULL.label());
                });
        assertThatThrownBy(() -> RecoveryTarget.baseBackup(List.of(), Instant.parse("2026-05-07T10:00:00Z"), NOW))
                .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.reason()).contains("no backup at all"));
    }

    @Test
    void aScheduleTakesAFullBackupWhenTheLastFullIsOld() {
        long day = 86_400_000L;
        assertThat(PhysicalBackups.scheduledType(List.of(), day, NOW)).isEqualTo("full");
        assertThat(PhysicalBackups.scheduledType(List.of(FULL, DIFF), day, NOW)).isEqualTo("diff");
        assertThat(PhysicalBackups.scheduledType(List.of(FULL, DIFF), day, NOW.plusMillis(2 * day))).isEqualTo("full");
    }
}
