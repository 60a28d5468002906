package dev.pgbox.top;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.report.Activity;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopSourceTest {
    @Test
    void ratesComeFromTheDeltasBetweenTwoSamples() {
        TopSource.Counters before = new TopSource.Counters(1000.0, 500, 400, 9000, 1000);
        TopSource.Counters now = new TopSource.Counters(1002.0, 520, 410, 9990, 1010);
        TopSnapshot s = TopSource.snapshot(before, now, "15.20", 60, 3, 100, List.of());
        assertThat(s.tps()).isEqualTo(10.0);
        assertThat(s.commitsPerSecond()).isEqualTo(5.0);
        assertThat(s.cacheHitPercent()).isEqualTo(99.0); // 990 hits of 1000 reads in between, not 90 % since the start
    }

    @Test
    void theFirstSampleHasNoRatesAndTheCumulativeHitRatio() {
        TopSnapshot s = TopSource.snapshot(null, new TopSource.Counters(1.0, 500, 400, 9000, 1000), "15.20", 60, 3, 100, List.of());
        assertThat(s.tps()).isNull();
        assertThat(s.commitsPerSecond()).isNull();
        assertThat(s.cacheHitPercent()).isEqualTo(90.0);
    }

    @Test
    void durationIsTheQueryAgeWhenActiveElseTheStateAge() {
        Activity.Session active = new Activity.Session(1, "d", "u", null, null, "active", null, null, 100L, 30L, 30L, "q");
        Activity.Session idleInXact = new Activity.Session(2, "d", "u", null, null, "idle in transaction", null, null, 100L, 90L, 80L, "q");
        assertThat(TopSource.duration(active)).isEqualTo(30L);
        assertThat(TopSource.duration(idleInXact)).isEqualTo(80L);
    }
}
