package dev.pgbox.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "select", "user", "table", "public", "postgres", "template1", "Shop", "shopApp", "a'b", "a\"b",
            "a b", "1shop", "_shop", "shop-app", "pg_shop", "shop_owner", "news_readonly", "émile",
            "a_name_that_is_far_too_long_for_three_role_names_ok"})
    void rejectsNamesBeforeAnySqlRuns(String name) {
        assertThatThrownBy(() -> new AppName(name))
                .isInstanceOf(PgboxException.class)
                .hasMessageContaining("invalid app name")
                .satisfies(t -> assertThat(((PgboxException) t).kind()).isEqualTo(ErrorKind.USAGE))
                .satisfies(t -> assertThat(((PgboxException) t).reason()).isNotBlank());
    }

    @Test
    void nullIsRejectedToo() {
        assertThatThrownBy(() -> new AppName(null)).hasMessageContaining("invalid app name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop", "news_feed", "app2", "a", "parkit"})
    void acceptsPlainNames(String name) {
        AppName app = new AppName(name);
        assertThat(app.loginRole()).isEqualTo(name);
        assertThat(app.ownerRole()).isEqualTo(name + "_owner");
        assertThat(app.readonlyRole()).isEqualTo(name + "_readonly");
        assertThat(app.passwordVariable()).matches("PGBOX_APP_[A-Z0-9_]+_PASSWORD");
    }

    @Test
    void sqlQuotesEveryNameAsAnIdentifier() {
        String sql = AppSql.rolesAndDatabase(new AppName("shop"), "SCRAM-SHA-256$4096:x$y:z");
        assertThat(sql).contains("CREATE DATABASE %I OWNER %I", "ALTER DATABASE \"shop\" OWNER TO \"shop_owner\"",
                "REVOKE ALL ON DATABASE \"shop\" FROM PUBLIC", "LOGIN NOINHERIT NOSUPERUSER", "PASSWORD 'SCRAM-SHA-256$");
        assertThat(AppSql.rolesAndDatabase(new AppName("shop"), null)).doesNotContain("PASSWORD");
        assertThat(AppSql.insideDatabase(new AppName("shop"))).contains("REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "ALTER DEFAULT PRIVILEGES FOR ROLE \"shop_owner\" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \"shop\"");
    }
}
