package dev.pgbox.apps;

import java.nio.file.Path;
import java.util.List;

/**
 * The connection URLs of an HA cluster: every member listed, and the client picks the one that fits.
 * libpq tries the hosts in order and keeps the first whose session is read-write
 * ({@code target_session_attrs=read-write}; with {@code readOnly}, {@code prefer-standby}); pgjdbc does
 * the same with {@code targetServerType=primary} ({@code preferSecondary}). So after a failover a
 * client that reconnects finds the new primary by itself. Same logins, password and TLS pinning as
 * {@link AppUrls}; a short connect timeout so a member that is down (or cut off) costs seconds, not
 * the operating system's minutes, before the next host is tried. Pure.
 *
 * @param hosts every member, in Patroni's order (the leader first)
 * @param runAs the role every statement runs as, or null (see {@link AppUrls#runAs})
 * @param sslmode verify-full when the pinned certificate names every member's address, else verify-ca
 *                (the pinned self-signed certificate still proves the server holds its key)
 * @param readOnly prefer a standby (reads off the primary), fall back to the primary
 */
public record MultiHostUrls(List<Host> hosts, String database, String user, String runAs, Path cert, String sslmode,
                            boolean readOnly) {
    /** Seconds a client waits for one host before it tries the next. */
    public static final int CONNECT_TIMEOUT = 5;

    /** One member's PostgreSQL address. */
    public record Host(String host, int port) {
        String forUrl() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public MultiHostUrls {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no hosts");
        }
        if (!sslmode.equals("verify-full") && !sslmode.equals("verify-ca")) {
            throw new IllegalArgumentException("sslmode must verify the server: " + sslmode);
        }
        new AppUrls(hosts.get(0).host(), hosts.get(0).port(), database, user, runAs, cert); // the same checks as a one-host URL
        hosts = List.copyOf(hosts);
    }

    /** The same login as {@code one}, at every host. */
    public static MultiHostUrls of(AppUrls one, List<Host> hosts, String sslmode, boolean readOnly) {
        return new MultiHostUrls(hosts, one.database(), one.user(), one.runAs(), one.cert(), sslmode, readOnly);
    }

    private String hostList() {
        return String.join(",", hosts.stream().map(Host::forUrl).toList());
    }

    /** libpq's target_session_attrs value. */
    public String sessionAttrs() {
        return readOnly ? "prefer-standby" : "read-write";
    }

    /** pgjdbc's targetServerType value. */
    public String serverType() {
        return readOnly ? "preferSecondary" : "primary";
    }

    /** The libpq URI with {@code password}, or without it when null (encoded as {@link AppUrls#libpq(String)} does). */
    public String libpq(String password) {
        StringBuilder sb = new StringBuilder("postgresql://").append(AppUrls.encode(user, false));
        if (password != null) {
            sb.append(':').append(AppUrls.encode(password, false));
        }
        sb.append('@').append(hostList()).append('/').append(AppUrls.encode(database, false))
                .append("?sslmode=").append(sslmode).append("&sslrootcert=").append(AppUrls.encode(cert.toString(), true))
                .append("&target_session_attrs=").append(sessionAttrs()).append("&connect_timeout=").append(CONNECT_TIMEOUT);
        if (runAs != null) {
            sb.append("&options=").append(AppUrls.encode("-c role=" + runAs, false));
        }
        return sb.toString();
    }

    /** The JDBC URL with {@code password}, or without it when null. */
    public String jdbc(String password) {
        StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(hostList()).append('/').append(AppUrls.encode(database, false))
                .append("?user=").append(AppUrls.encode(user, false))
                .append("&sslmode=").append(sslmode).append("&sslrootcert=").append(AppUrls.encode(cert.toString(), true))
                .append("&targetServerType=").append(serverType()).append("&connectTimeout=").append(CONNECT_TIMEOUT);
        if (runAs != null) {
            sb.append("&options=").append(AppUrls.encode("-c role=" + runAs, false));
        }
        if (password != null) {
            sb.append("&password=").append(AppUrls.encode(password, false));
        }
        return sb.toString();
    }
}
