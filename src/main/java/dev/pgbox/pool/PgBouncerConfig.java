package dev.pgbox.pool;

import dev.pgbox.cluster.HbaFile;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.tune.RamPlan;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PgBouncer's configuration as pgbox writes it, rendered from the settings, the layout, the pooled
 * databases and the RAM plan's pool sizes alone (pure: no I/O). Three files:
 * <ul>
 *   <li>pgbouncer.ini: 127.0.0.1:PGBOUNCER_PORT with TLS required, a Unix socket in the server's run dir,
 *   one transaction pool (named like the database) and one session pool ({@link PoolerAddress#sessionDatabase})
 *   per database, each reaching the server over its Unix socket; clients are looked up with
 *   {@link PoolerAuth#AUTH_QUERY} as {@link PoolerAuth#ROLE} (SCRAM verifiers only, never a superuser), so no
 *   password is on disk;</li>
 *   <li>its hba file: TLS and scram-sha-256 on loopback TCP, the admin console only over the Unix socket for the
 *   OS user (peer), the superuser and pgbox's own roles refused;</li>
 *   <li>the console's user list: the OS user alone, without a password (peer needs the name to be known; an empty
 *   password never passes SCRAM).</li>
 * </ul>
 */
public final class PgBouncerConfig {
    /** File descriptors beyond clients and server connections: listening sockets, the log, DNS, the hba and TLS files. */
    static final int SPARE_FILES = 100;
    private static final Pattern DATABASE = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final List<String> LOOPBACK = List.of("127.0.0.1/32", "::1/128");
    private static final Pattern OS_USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");

    private PgBouncerConfig() {
    }

    /**
     * Every file, by its name in {@link PgBouncerFiles}.
     *
     * @param databases the pooled databases (the main one and every app's), each a validated name
     * @param sizing the RAM plan's pool sizes for that many databases
     */
    public static Map<String, String> render(Settings s, Layout l, List<String> databases, RamPlan.PoolSizing sizing) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(PgBouncerFiles.INI, ini(s, l, databases, sizing));
        files.put(PgBouncerFiles.HBA, hba(l.osUser()));
        files.put(PgBouncerFiles.USERS, users(l.osUser()));
        return files;
    }

    static String ini(Settings s, Layout l, List<String> databases, RamPlan.PoolSizing sizing) {
        PgBouncerFiles f = PgBouncerFiles.of(l);
        int poolSize = s.isSet(Setting.PGBOUNCER_DEFAULT_POOL_SIZE) ? s.integer(Setting.PGBOUNCER_DEFAULT_POOL_SIZE) : sizing.poolSize();
        int reserve = s.isSet(Setting.PGBOUNCER_RESERVE_POOL_SIZE) ? s.integer(Setting.PGBOUNCER_RESERVE_POOL_SIZE) : sizing.reservePoolSize();
        int maxClients = s.isSet(Setting.PGBOUNCER_MAX_CLIENT_CONN) ? s.integer(Setting.PGBOUNCER_MAX_CLIENT_CONN) : sizing.maxClientConn();
        // PgBouncer caps each [databases] entry on its own; each gets its pools plus a login lookup connection
        // (auth_query as pgbox_pooler counts against the entry's max_db_connections: without it a client's login
        // waits while every pool connection is busy)
        int sessionPool = sizing.sessionPoolSize();
        int transactionMax = poolSize + reserve + RamPlan.LOOKUP_CONNECTIONS;
        int sessionMax = sessionPool + RamPlan.LOOKUP_CONNECTIONS;
        String server = "host=" + value(l.runDir().toString()) + " port=" + s.get(Setting.POSTGRES_PORT);
        StringBuilder b = new StringBuilder();
        b.append("; Written by pgbox for the project ").append(line(l.projectDir().toString()))
                .append(". pgbox owns this file: 'pgbox start' rewrites it;\n")
                .append("; set PGBOUNCER_* in .env.* instead (pgbox config --explain).\n\n");
        b.append("[databases]\n")
                .append("; per database: a transaction pool named like it, and a session pool (LISTEN/NOTIFY, session state);\n")
                .append("; both reach the server over its Unix socket, and look clients up as ").append(PoolerAuth.ROLE).append('\n');
        for (String db : validDatabases(databases)) {
            b.append(PoolerAddress.database(db)).append(" = ").append(server).append(" dbname=").append(db)
                    .append(" auth_user=").append(PoolerAuth.ROLE)
                    .append(" pool_size=").append(poolSize).append(" reserve_pool=").append(reserve)
                    .append(" max_db_connections=").append(transactionMax).append('\n');
            b.append(PoolerAddress.sessionDatabase(db)).append(" = ").append(server).append(" dbname=").append(db)
                    .append(" auth_user=").append(PoolerAuth.ROLE).append(" pool_mode=session")
                    .append(" pool_size=").append(sessionPool).append(" reserve_pool=0")
                    .append(" max_db_connections=").append(sessionMax).append('\n');
        }
        b.append("\n[pgbouncer]\n");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listen_addr", s.get(Setting.POSTGRES_HOST).equals("localhost") ? "127.0.0.1" : s.get(Setting.POSTGRES_HOST));
        p.put("listen_port", s.get(Setting.PGBOUNCER_PORT));
        p.put("unix_socket_dir", line(l.runDir().toString()));
        p.put("pidfile", line(f.pidFile().toString()));
        // no logfile: PgBouncer runs in the foreground and its standard error goes to pgbouncer.log (or the journal)
        p.put("auth_type", "hba");
        p.put("auth_hba_file", line(f.hba().toString()));
        p.put("auth_file", line(f.users().toString()));
        p.put("auth_query", PoolerAuth.AUTH_QUERY);
        p.put("admin_users", l.osUser());
        p.put("stats_users", l.osUser());
        p.put("pool_mode", s.get(Setting.PGBOUNCER_POOL_MODE));
        p.put("max_client_conn", Integer.toString(maxClients));
        p.put("default_pool_size", Integer.toString(poolSize));
        p.put("reserve_pool_size", Integer.toString(reserve));
        p.put("reserve_pool_timeout", seconds(s.millis(Setting.PGBOUNCER_RESERVE_POOL_TIMEOUT)));
        p.put("query_wait_timeout", seconds(s.millis(Setting.PGBOUNCER_QUERY_WAIT_TIMEOUT)));
        p.put("server_idle_timeout", seconds(s.millis(Setting.PGBOUNCER_SERVER_IDLE_TIMEOUT)));
        p.put("client_idle_timeout", seconds(s.millis(Setting.PGBOUNCER_CLIENT_IDLE_TIMEOUT)));
        // a client's session state (SET, prepared statements, advisory locks) must not reach the next client
        p.put("server_reset_query", "DISCARD ALL");
        p.put("server_check_delay", "30");
        p.put("server_lifetime", "3600");
        p.put("server_login_retry", "1");
        // JDBC sends extra_float_digits in its startup packet; PgBouncer refuses startup parameters it does not know
        p.put("ignore_startup_parameters", "extra_float_digits");
        p.put("client_tls_sslmode", "require");
        p.put("client_tls_cert_file", line(l.certificate().toString()));
        p.put("client_tls_key_file", line(PgBouncerFiles.tlsKey(l).toString()));
        p.put("client_tls_protocols", "secure");
        p.put("application_name_add_host", "0");
        p.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        return b.toString();
    }

    /**
     * PgBouncer's own hba file (the first matching line decides). Loopback TCP: TLS and scram-sha-256, but never
     * the superuser, the OS user, pgbox's pooler or replication role, nor the console. The Unix socket: only the
     * admin console, only for the OS user (peer).
     */
    static String hba(String osUser) {
        String user = osUser(osUser);
        Set<String> never = new LinkedHashSet<>(List.of(AdminSql.SUPERUSER, user, PoolerAuth.ROLE, HbaFile.REPLICATION_ROLE));
        StringBuilder b = new StringBuilder("""
                # Written by pgbox: PgBouncer's client authentication ('pgbox start' rewrites it). First match decides.
                # TYPE   DATABASE   USER   ADDRESS   METHOD
                # the admin console (SHOW POOLS, RELOAD): over the Unix socket, for the OS user that runs PgBouncer only
                """);
        b.append("local    pgbouncer  ").append(user).append("  peer\n");
        b.append("local    all        all  reject\n");
        b.append("# the superuser and pgbox's own roles never log in through the pooler\n");
        for (String loopback : LOOPBACK) {
            for (String role : never) {
                b.append("hostssl  all        ").append(role).append("  ").append(loopback).append("  reject\n");
            }
            b.append("hostssl  pgbouncer  all  ").append(loopback).append("  reject\n");
        }
        b.append("# apps: TLS and scram-sha-256 on loopback; plain TCP and every other address refused\n");
        for (String loopback : LOOPBACK) {
            b.append("hostssl  all        all  ").append(loopback).append("  scram-sha-256\n");
        }
        b.append("host     all        all  0.0.0.0/0     reject\n");
        b.append("host     all        all  ::/0          reject\n");
        return b.toString();
    }

    /** The console's user: the OS user, with no password (its only way in is peer over the socket). */
    static String users(String osUser) {
        return "\"" + osUser(osUser) + "\" \"\"\n";
    }

    /**
     * The RLIMIT_NOFILE PgBouncer needs for a rendered pgbouncer.ini: one descriptor per client and per server
     * connection it may open, plus {@link #SPARE_FILES}.
     */
    public static int fileLimit(String ini) {
        long files = SPARE_FILES;
        Matcher clients = Pattern.compile("(?m)^max_client_conn = (\\d+)$").matcher(ini);
        if (clients.find()) {
            files += Long.parseLong(clients.group(1));
        }
        Matcher servers = Pattern.compile(" max_db_connections=(\\d+)").matcher(ini);
        while (servers.find()) {
            files += Long.parseLong(servers.group(1));
        }
        Matcher auth = Pattern.compile("(?m)^\\S+ = .* pool_size=(\\d+)").matcher(ini);
        while (auth.find()) {
            files += Long.parseLong(auth.group(1)); // the auth_user's own pool in each database
        }
        return (int) Math.min(files, 1 << 20);
    }

    /** The database names PgBouncer may serve: pgbox's identifiers only, each once, in order. */
    static List<String> validDatabases(List<String> databases) {
        return databases.stream().filter(d -> DATABASE.matcher(d).matches()).distinct().toList();
    }

    private static String osUser(String name) {
        if (!OS_USER.matcher(name).matches()) {
            throw new IllegalArgumentException("not an OS user name: " + name);
        }
        return name;
    }

    /** A value of a [databases] connection string: quoted when it holds a blank, a quote or a backslash. */
    static String value(String v) {
        line(v);
        return v.matches("[^\\s'\\\\]+") ? v : "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** A line break would end the setting (and start another): never in a path. */
    private static String line(String v) {
        if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a line break in " + v);
        }
        return v;
    }

    /** PgBouncer's time settings are seconds; fractions allowed. */
    static String seconds(long millis) {
        if (millis <= 0) {
            return "0";
        }
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }
}
