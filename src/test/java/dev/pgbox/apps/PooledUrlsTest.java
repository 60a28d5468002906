package dev.pgbox.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.pool.PoolerAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PooledUrlsTest {
    private static final Path CERT = Path.of("/srv/p/.pgbox/run/server.crt");

    private static PooledUrls shop(boolean session) {
        AppName app = new AppName("shop");
        String pool = session ? PoolerAddress.sessionDatabase("shop") : PoolerAddress.database("shop");
        return new PooledUrls(new AppUrls("127.0.0.1", 6432, pool, app.loginRole(), null, CERT), session);
    }

    @Test
    void theTransactionPoolTurnsOffServerSidePreparedStatementsInJdbcOnly() {
        assertThat(shop(false).jdbc()).isEqualTo(
                "jdbc:postgresql://127.0.0.1:6432/shop?user=shop&sslmode=verify-full&sslrootcert=/srv/p/.pgbox/run/server.crt&prepareThreshold=0"
                        + "&assumeMinServerVersion=9.0");
        assertThat(shop(false).jdbc("pw")).endsWith("&password=pw&prepareThreshold=0&assumeMinServerVersion=9.0");
        assertThat(shop(false).libpq()).isEqualTo(
                "postgresql://shop@127.0.0.1:6432/shop?sslmode=verify-full&sslrootcert=/srv/p/.pgbox/run/server.crt");
    }

    @Test
    void theSessionPoolIsItsOwnDatabaseAndKeepsPreparedStatements() {
        assertThat(shop(true).libpq()).contains("@127.0.0.1:6432/" + PoolerAddress.sessionDatabase("shop") + "?sslmode=verify-full");
        assertThat(shop(true).jdbc()).doesNotContain("prepareThreshold").doesNotContain("assumeMinServerVersion");
    }
}
