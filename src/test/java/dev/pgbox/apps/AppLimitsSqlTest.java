package dev.pgbox.apps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AppLimitsSqlTest {
    private final AppName shop = new AppName("shop");

    @Test
    void onlyTheLimitsGivenAreChanged() {
        String sql = AppSql.limits(shop, new Apps.Limits("5s", null, null), null);
        assertThat(sql).contains("ALTER ROLE \"shop\" SET statement_timeout = '5s';")
                .doesNotContain("CONNECTION LIMIT", "idle_in_transaction_session_timeout", "COMMENT");
    }

    @Test
    void aConnectionLimitGivenByHandIsMarkedSoTheRePlanLeavesIt() {
        String sql = AppSql.limits(shop, new Apps.Limits(null, null, 7), Apps.OWN_LIMIT);
        assertThat(sql).contains("ALTER ROLE \"shop\" CONNECTION LIMIT 7;", "COMMENT ON ROLE \"shop\" IS 'pgbox app login; connection limit set by hand';")
                .doesNotContain("statement_timeout");
    }

    @Test
    void aNewAppTakesWhatIsNotGivenFromTheDefaults() {
        Apps.Limits defaults = new Apps.Limits("30s", "60s", 20);
        assertThat(new Apps.Limits("5s", null, null).over(defaults)).isEqualTo(new Apps.Limits("5s", "60s", 20));
        assertThat(new Apps.Limits(null, null, -1).over(defaults)).isEqualTo(new Apps.Limits("30s", "60s", -1));
        String sql = AppSql.limits(shop, new Apps.Limits(null, null, null).over(defaults), Apps.PLANNED_LIMIT);
        assertThat(sql).contains("CONNECTION LIMIT 20;", "statement_timeout = '30s'", "idle_in_transaction_session_timeout = '60s'",
                "IS 'pgbox app login; connection limit follows the RAM plan'");
    }
}
