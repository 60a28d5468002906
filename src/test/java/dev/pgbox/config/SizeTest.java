package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizeTest {
    @Test
    void parsesAndFormatsLikePostgres() {
        assertThat(Size.parse("512MB")).isEqualTo(512 * Size.MB);
        assertThat(Size.parse("16mb")).isEqualTo(16 * Size.MB);
        assertThat(Size.parse("1GB")).isEqualTo(Size.GB);
        assertThat(Size.parse("64kB")).isEqualTo(64 * Size.KB);
        assertThat(Size.parse("2 G")).isEqualTo(2 * Size.GB);
        assertThat(Size.parse("1.5GB")).isEqualTo(-1);
        assertThat(Size.parse("lots")).isEqualTo(-1);
        assertThat(Size.format(1536 * Size.MB)).isEqualTo("1536MB");
        assertThat(Size.format(2 * Size.GB)).isEqualTo("2GB");
        assertThat(Size.format(64 * Size.KB)).isEqualTo("64kB");
    }

    @Test
    void durationsNeedAUnitUnlessTheyTurnSomethingOff() {
        assertThat(Durations.parseMillis("200ms")).isEqualTo(200L);
        assertThat(Durations.parseMillis("30s")).isEqualTo(30_000L);
        assertThat(Durations.parseMillis("5min")).isEqualTo(300_000L);
        assertThat(Durations.parseMillis("-1")).isEqualTo(-1L);
        assertThat(Durations.parseMillis("0")).isEqualTo(0L);
        assertThat(Durations.parseMillis("200")).isNull();
        assertThat(Durations.parseMillis("-5s")).isNull();
        assertThat(Durations.format(60_000)).isEqualTo("1min");
        assertThat(Durations.format(1500)).isEqualTo("1500ms");
    }
}
