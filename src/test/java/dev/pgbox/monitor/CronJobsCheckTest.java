package dev.pgbox.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.jobs.CronJob;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronJobsCheckTest {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    static CronJob job(String name, String status, String start, String message) {
        return new CronJob(7, name, "shop", "* * * * *", "SELECT 1/0", "shop", true, false, status, start, message);
    }

    @Test
    void aRecentFailureWarnsWithTheFix() {
        List<Finding> f = CronJobsCheck.check(List.of(job("shop:x", "failed", "2026-12-02T11:00:00Z", "ERROR: division by zero\n"),
                job("shop:y", "succeeded", "2026-12-02T11:00:00Z", "SELECT 1")), NOW, 86_400_000L, "t");
        assertThat(f).hasSize(1);
        assertThat(f.get(0).severity()).isEqualTo(Severity.WARN);
        assertThat(f.get(0).check()).isEqualTo("cron_jobs");
        assertThat(f.get(0).database()).isEqualTo("shop");
        assertThat(f.get(0).object()).isEqualTo("shop:x");
        assertThat(f.get(0).value()).contains("division by zero").contains("1h ago");
        assertThat(f.get(0).fix()).contains("pgbox jobs history --app shop --failed");
    }

    @Test
    void anOldFailureOrASuccessIsOk() {
        List<Finding> f = CronJobsCheck.check(List.of(job("shop:x", "failed", "2026-11-30T11:00:00Z", "ERROR"),
                job(null, "succeeded", "2026-12-02T11:00:00Z", "x"), job("shop:z", null, null, null)), NOW, 86_400_000L, "t");
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Severity.OK);
            assertThat(x.value()).startsWith("3 job(s)");
        });
        // window 0: any failure of a latest run counts
        assertThat(CronJobsCheck.check(List.of(job(null, "failed", "2020-01-01T00:00:00Z", "ERROR")), NOW, 0, "t"))
                .singleElement().satisfies(x -> assertThat(x.object()).isEqualTo("job 7"));
    }
}
