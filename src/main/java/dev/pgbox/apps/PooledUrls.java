package dev.pgbox.apps;

/**
 * An app's URLs through PgBouncer (127.0.0.1:PGBOUNCER_PORT) instead of the server: the same login,
 * TLS and pinned certificate as the direct URLs, the database being the app's transaction pool or,
 * with {@code session}, its session pool. A transaction pool hands each transaction to whichever
 * server connection is free, so JDBC must not keep server-side prepared statements
 * ({@code prepareThreshold=0}: PgBouncer 1.18 cannot follow them across connections), and must not run its
 * set-up statements after the login ({@code assumeMinServerVersion=9.0} sends them in the startup packet instead):
 * {@code SET extra_float_digits = 3} would wait for a free server connection before the login returns, and
 * would stay set on that connection for the clients after it.
 *
 * @param urls the login with the pooler's address and pool name in place of the server's
 * @param session whether this is the session pool (LISTEN/NOTIFY, session state), where prepared statements work
 */
public record PooledUrls(AppUrls urls, boolean session) {

    /** The libpq URI without the password. */
    public String libpq() {
        return urls.libpq();
    }

    public String libpq(String password) {
        return urls.libpq(password);
    }

    /** The JDBC URL without the password. */
    public String jdbc() {
        return jdbc(null);
    }

    /** The JDBC URL; prepareThreshold=0 and assumeMinServerVersion=9.0 on the transaction pool. */
    public String jdbc(String password) {
        String jdbc = urls.jdbc(password);
        return session ? jdbc : jdbc + "&prepareThreshold=0&assumeMinServerVersion=9.0";
    }
}
