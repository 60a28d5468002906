package dev.pgbox.apps;

import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.pool.PoolerAddress;
import dev.pgbox.sql.Jdbc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How a client reaches one database pgbox serves: the address, the database, the role it logs in
 * as, the role it then runs as (an app's owner role for migrations, or null), and the certificate it
 * pins. Gives the libpq and JDBC URLs (without the password unless one is passed) and the JDBC target.
 *
 * @param runAs the role every statement runs as (startup option {@code -c role=...}), or null for the login role itself
 */
public record AppUrls(String host, int port, String database, String user, String runAs, Path cert) {

    public AppUrls {
        if (runAs != null && !runAs.matches("[a-z][a-z0-9_]*")) {
            // it travels in a startup option, where a space or quote would start another option
            throw new IllegalArgumentException("not a plain role name: " + runAs);
        }
    }

    /** The main database (POSTGRES_DB) as POSTGRES_USER. */
    public static AppUrls main(Settings s, Instance at) {
        return new AppUrls(at.host(), at.port(), s.get(Setting.POSTGRES_DB), s.get(Setting.POSTGRES_USER), null,
                at.clientCertificate());
    }

    /** The main database of the project's own server, from its settings and layout. */
    public static AppUrls main(Settings s, Layout l) {
        return main(s, Instance.primary(s, l));
    }

    /** App {@code app}'s database as its login role; with {@code owner}, running as its owner role (migrations). */
    public static AppUrls app(Instance at, AppName app, boolean owner) {
        return new AppUrls(at.host(), at.port(), app.value(), app.loginRole(), owner ? app.ownerRole() : null,
                at.clientCertificate());
    }

    /**
     * App {@code app}'s pool on the PgBouncer at {@code pooler}, as its login role: the transaction pool, or the
     * session pool with {@code session}. TLS with the server's certificate, which PgBouncer presents too.
     */
    public static PooledUrls pooled(Instance at, PoolerAddress pooler, AppName app, boolean session) {
        String pool = session ? PoolerAddress.sessionDatabase(app.value()) : PoolerAddress.database(app.value());
        // PgBouncer listens on loopback only (the CONTRACT of the pool package): clients on this machine
        return new PooledUrls(new AppUrls("127.0.0.1", pooler.port(), pool, app.loginRole(), null, at.clientCertificate()), session);
    }

    /** The same login in another database (a restored copy). */
    public AppUrls in(String otherDatabase) {
        return new AppUrls(host, port, otherDatabase, user, runAs, cert);
    }

    /** The startup options a client sends ({@code PGOPTIONS} for psql), or null when there are none. */
    public String options() {
        return runAs == null ? null : "-c role=" + runAs;
    }

    private String hostForUrl() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The libpq URI (psql, psycopg, Node's pg, Rails, Prisma) without the password. */
    public String libpq() {
        return libpq(null);
    }

    /**
     * The libpq URI with {@code password} in it, or without when null. libpq percent-decodes every
     * part of a URI and splits a query parameter at its only '=': so the '=' and the space inside
     * {@code options} are written as %3D and %20 (libpq does not read '+' as a space).
     */
    public String libpq(String password) {
        StringBuilder sb = new StringBuilder("postgresql://").append(encode(user, false));
        if (password != null) {
            sb.append(':').append(encode(password, false));
        }
        sb.append('@').append(hostForUrl()).append(':').append(port).append('/').append(encode(database, false))
                .append("?sslmode=verify-full&sslrootcert=").append(encode(cert.toString(), true));
        if (runAs != null) {
            sb.append("&options=").append(encode(options(), false));
        }
        return sb.toString();
    }

    /** The JDBC URL (pgjdbc: Flyway, Liquibase, Spring) without the password. */
    public String jdbc() {
        return jdbc(null);
    }

    /** The JDBC URL with {@code password} in it, or without when null; pgjdbc percent-decodes each parameter value. */
    public String jdbc(String password) {
        StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(hostForUrl()).append(':').append(port).append('/')
                .append(encode(database, false)).append("?user=").append(encode(user, false))
                .append("&sslmode=verify-full&sslrootcert=").append(encode(cert.toString(), true));
        if (runAs != null) {
            sb.append("&options=").append(encode(options(), false));
        }
        if (password != null) {
            sb.append("&password=").append(encode(password, false));
        }
        return sb.toString();
    }

    /** Where the JDBC door connects, with this password. */
    public Jdbc.Target target(String password) {
        Jdbc.Target t = new Jdbc.Target(host, port, database, user, password, cert);
        return runAs == null ? t : t.runningAs(runAs);
    }

    /**
     * Percent-encodes everything but RFC 3986's unreserved characters (and '/' in paths): both libpq
     * and pgjdbc decode %XX, and neither then mistakes a character of the value for URL syntax.
     */
    static String encode(String value, boolean path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~' || (path && c == '/')) {
                sb.append(c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
