package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.Jdbc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's pools: the same TLS and role options as a CLI connection, small and lazy; closed pools refuse work. */
class PooledSessionsTest {
    @TempDir
    Path dir;

    @Test
    void poolsConnectLikeJdbcConnect() {
        Path cert = Path.of("/srv/p/.pgbox/run/root.crt");
        Jdbc.Target owner = new Jdbc.Target("127.0.0.1", 6543, "shop", "shop", "s3cret-pw", cert).runningAs("shop_owner");
        HikariConfig c = PooledSessions.config(owner, 4, "pgbox-api-shop-owner");
        assertThat(c.getJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:6543/shop");
        assertThat(c.getUsername()).isEqualTo("shop");
        assertThat(c.getDataSourceProperties()).containsEntry("sslmode", "verify-full")
                .containsEntry("sslrootcert", cert.toString()).containsEntry("options", "-c role=shop_owner");
        assertThat(c.getMaximumPoolSize()).isEqualTo(4);
        assertThat(c.getMinimumIdle()).isZero();
        assertThat(c.isAutoCommit()).isTrue();
        assertThat(c.getPoolName()).doesNotContain("s3cret-pw");
        assertThat(c.getDataSourceProperties().values()).doesNotContain("s3cret-pw");

        HikariConfig login = PooledSessions.config(new Jdbc.Target("127.0.0.1", 6543, "shop", "shop", "pw", null), 2, "p");
        assertThat(login.getDataSourceProperties()).containsEntry("sslmode", "require").doesNotContainKey("options")
                .doesNotContainKey("sslrootcert");
    }

    @Test
    void theDriversOwnErrorIsFoundUnderThePoolsWrapping() {
        SQLException driver = new SQLException("password authentication failed", "28P01");
        SQLException pool = new SQLTransientConnectionException("pgbox-api-shop - Connection is not available", null, driver);
        assertThat((Object) PooledSessions.rootSql(pool)).isSameAs(driver);
        assertThat((Object) PooledSessions.rootSql(driver)).isSameAs(driver);
    }

    @Test
    void noRunningServerIsNotRunningAndAClosedPoolRefusesWork() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "");
        Settings s = Settings.load(dir, null, Map.of());
        AtomicInteger reloads = new AtomicInteger();
        PooledSessions sessions = new PooledSessions(Server.open(s), 2, () -> {
            reloads.incrementAndGet();
            return null;
        });
        AppName shop = new AppName("shop");
        assertThatThrownBy(() -> sessions.withConnection(shop, false, c -> 1))
                .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_RUNNING));
        // no password for the app in the snapshot: it was read again once before giving up
        assertThat(reloads.get()).isEqualTo(1);
        assertThat(sessions.pools()).isZero();
        sessions.close();
        assertThatThrownBy(() -> sessions.withConnection(shop, true, c -> 1))
                .isInstanceOfSatisfying(PgboxException.class, e -> assertThat(e.what()).contains("stopping"));
    }
}
