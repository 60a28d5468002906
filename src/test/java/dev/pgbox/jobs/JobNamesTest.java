package dev.pgbox.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import org.junit.jupiter.api.Test;

class JobNamesTest {
    static final AppName SHOP = new AppName("shop");

    @Test
    void pgboxJobsAreMarkedAndScopedToTheirApp() {
        assertThat(JobNames.pgbox(SHOP, "partman-maintenance")).isEqualTo("pgbox:shop:partman-maintenance");
        assertThat(JobNames.isPgbox("pgbox:shop:partman-maintenance")).isTrue();
        assertThat(JobNames.isPgbox(JobNames.server("cron-history-purge"))).isTrue();
        assertThat(JobNames.isPgbox("shop:nightly")).isFalse();
        assertThat(JobNames.isPgbox("cleanup")).isFalse();
        assertThat(JobNames.isPgbox(null)).isFalse();
        assertThat(JobNames.pgbox(SHOP, "x")).startsWith(JobNames.pgboxPrefix("shop"));
        assertThat(JobNames.pgbox(new AppName("shop2"), "x")).doesNotStartWith(JobNames.pgboxPrefix("shop"));
    }

    @Test
    void userJobsAreAppColonName() {
        assertThat(JobNames.user(SHOP, "nightly-report")).isEqualTo("shop:nightly-report");
        assertThat(JobNames.user(SHOP, "a_1")).isEqualTo("shop:a_1");
    }

    @Test
    void badUserJobNamesAreRefused() {
        for (String bad : new String[] {"", "Nightly", "1st", "a b", "a:b", "pgbox", "pgbox:x", "a;drop", "x".repeat(64), "-a"}) {
            assertThatThrownBy(() -> JobNames.user(SHOP, bad)).as(bad).isInstanceOf(PgboxException.class)
                    .satisfies(e -> assertThat(((PgboxException) e).kind()).isEqualTo(ErrorKind.USAGE));
        }
        assertThat(JobNames.problem(null)).isNotNull();
    }

    @Test
    void theMaintenanceRoleCanNeverBeAnAppName() {
        String role = JobNames.maintenanceRole(SHOP);
        assertThat(role).isEqualTo("shop-maintenance");
        assertThat(AppName.problem(role)).isNotNull(); // so no app's login role can ever take it over
        assertThat(JobNames.maintenanceRole(new AppName("a".repeat(AppName.MAX_LENGTH))).length()).isLessThanOrEqualTo(63);
    }
}
