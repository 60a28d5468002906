package dev.pgbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * What the failover test's clients (writer, probes, checker) share: the application role's password read
 * from a project's .env.secrets (never from argv), and JDBC connections to one member or to the cluster
 * through a multi-host URL. TLS without host verification: each member's certificate names only
 * localhost, not the member's address.
 */
final class HaClient {
    private HaClient() {
    }

    /** POSTGRES_PASSWORD from a pgbox .env.secrets file. */
    static String appPassword(Path secretsFile) throws IOException {
        for (String line : Files.readAllLines(secretsFile, StandardCharsets.UTF_8)) {
            if (line.startsWith("POSTGRES_PASSWORD=")) {
                return line.substring("POSTGRES_PASSWORD=".length()).strip();
            }
        }
        throw new IOException("no POSTGRES_PASSWORD in " + secretsFile);
    }

    /** jdbc:postgresql://a:p,b:p,.../db for these addresses. */
    static String url(List<String> addresses, int port, String db) {
        return "jdbc:postgresql://" + addresses.stream().map(a -> a + ":" + port).collect(Collectors.joining(",")) + "/" + db;
    }

    /**
     * A connection as {@code user}: TLS, short connect and login limits (a cut host must not hold a
     * reconnect for long). {@code socketTimeoutSeconds} 0 waits for an answer forever; any other value
     * gives up on the client side only (the server is never asked to cancel, so an unanswered commit is
     * simply not acknowledged).
     */
    static Connection connect(String url, String user, String password, int socketTimeoutSeconds, Properties extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", "require");
        p.setProperty("connectTimeout", "1");
        p.setProperty("loginTimeout", "5");
        p.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "pgbox-failover-test");
        p.putAll(extra);
        Connection c = DriverManager.getConnection(url, p);
        c.setAutoCommit(true);
        return c;
    }
}
