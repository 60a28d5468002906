package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static final ZonedDateTime SUNDAY_NOON = ZonedDateTime.of(2026, 11, 22, 12, 0, 30, 0, ZoneOffset.UTC);

    @Test
    void nextRunsOfCommonSchedules() {
        assertThat(CronSchedule.parse("30 2 * * *").next(SUNDAY_NOON)).isEqualTo(ZonedDateTime.of(2026, 11, 23, 2, 30, 0, 0, ZoneOffset.UTC));
        assertThat(CronSchedule.parse("* * * * *").next(SUNDAY_NOON)).isEqualTo(SUNDAY_NOON.withSecond(0).plusMinutes(1));
        assertThat(CronSchedule.parse("*/15 * * * *").next(SUNDAY_NOON)).isEqualTo(SUNDAY_NOON.withSecond(0).plusMinutes(15));
        assertThat(CronSchedule.parse("0 5 * * 0").next(SUNDAY_NOON)).isEqualTo(ZonedDateTime.of(2026, 11, 29, 5, 0, 0, 0, ZoneOffset.UTC));
        assertThat(CronSchedule.parse("0 5 * * 7").next(SUNDAY_NOON)).isEqualTo(ZonedDateTime.of(2026, 11, 29, 5, 0, 0, 0, ZoneOffset.UTC));
        assertThat(CronSchedule.parse("0 0 1 1 *").next(SUNDAY_NOON)).isEqualTo(ZonedDateTime.of(2027, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        assertThat(CronSchedule.parse("0 9-17/4 * * 1-5").next(SUNDAY_NOON)).isEqualTo(ZonedDateTime.of(2026, 11, 23, 9, 0, 0, 0, ZoneOffset.UTC));
        // both day fields restricted: either matches (the 1st, or any Friday)
        assertThat(CronSchedule.parse("0 0 1 * 5").next(SUNDAY_NOON)).isEqualTo(ZonedDateTime.of(2026, 11, 27, 0, 0, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void badSchedulesNameTheField() {
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * *")).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> CronSchedule.parse("61 3 * * *")).hasMessageContaining("minute 61");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * * mon")).hasMessageContaining("day of week");
        assertThatThrownBy(() -> CronSchedule.parse("0 5-3 * * *")).hasMessageContaining("backwards");
    }
}
