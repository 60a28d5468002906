package dev.pgbox.cluster;

/**
 * pg_hba.conf and pg_ident.conf as pgbox writes them: no trust, no md5, no password. The superuser
 * is reachable only over the Unix socket by the OS user that runs the server (peer, mapped);
 * everything else authenticates with scram-sha-256 over loopback TCP.
 */
public final class HbaFile {
    public static final String IDENT_MAP = "pgbox";
    /** The role replicas log in as (LOGIN REPLICATION, nothing else); its password is PGBOX_REPLICATION_PASSWORD. */
    public static final String REPLICATION_ROLE = "pgbox_replication";
    /** The role PgBouncer looks app logins up as (pool.PoolerAuth.ROLE): LOGIN by peer over the socket, nothing else. */
    public static final String POOLER_ROLE = "pgbox_pooler";
    private static final String POOLER_LINES = """
            # PgBouncer (PGBOUNCER_ENABLED=on) over the Unix socket: its lookup role by peer, app roles with their SCRAM proof
            local   all       %s                    peer map=%s
            local   all       all                             scram-sha-256
            """.formatted(POOLER_ROLE, IDENT_MAP);

    private HbaFile() {
    }

    public static String render() {
        return render(java.util.List.of());
    }

    /** With one hostssl line per allowed network (POSTGRES_ALLOWED_CIDRS): TLS and scram-sha-256 required. */
    public static String render(java.util.List<String> allowedCidrs) {
        return render(allowedCidrs, java.util.List.of());
    }

    /**
     * Also with one hostssl line per replica address (PGBOX_REPLICA_ADDRESSES): the replication
     * pseudo-database, the replication role only, that one host only, TLS and scram-sha-256.
     */
    public static String render(java.util.List<String> allowedCidrs, java.util.List<String> replicaAddresses) {
        return render(allowedCidrs, replicaAddresses, false);
    }

    /**
     * With {@code pooler} (PGBOUNCER_ENABLED=on) also the Unix-socket lines PgBouncer logs in with: its lookup role
     * {@link #POOLER_ROLE} by peer (mapped from the OS user that runs PgBouncer), and the app roles it passes on
     * with scram-sha-256 (PgBouncer hands the client's own SCRAM proof through; it knows no password). The
     * superuser's peer line comes first, so the superuser still logs in only by peer.
     */
    public static String render(java.util.List<String> allowedCidrs, java.util.List<String> replicaAddresses, boolean pooler) {
        StringBuilder remote = new StringBuilder();
        for (String cidr : allowedCidrs) {
            remote.append(String.format("hostssl all       all       %-15s scram-sha-256%n", host(cidr)));
        }
        String text = base() + (pooler ? POOLER_LINES : "") + (remote.length() == 0 ? "" : "# remote clients (POSTGRES_ALLOWED_CIDRS): TLS and scram-sha-256 only\n" + remote);
        if (!replicaAddresses.isEmpty()) {
            text += "# streaming replicas (PGBOX_REPLICA_ADDRESSES): the replication role only, one host each\n";
        }
        for (String address : replicaAddresses) {
            text += replicationLine(address);
        }
        return text;
    }

    /** The one pg_hba line that lets the replica at {@code address} stream WAL as {@link #REPLICATION_ROLE}. */
    public static String replicationLine(String address) {
        if (address.equals("*") || address.contains("/")) {
            // a replica is one host: a network or every address would let any host there try the role
            throw new dev.pgbox.PgboxException(dev.pgbox.ErrorKind.CONFIG, "invalid replica address '" + address + "'",
                    "PGBOX_REPLICA_ADDRESSES takes the addresses of single hosts, not networks or '*'",
                    "name each replica's address, e.g. PGBOX_REPLICA_ADDRESSES=10.0.0.6");
        }
        return String.format("hostssl replication %s %s scram-sha-256%n", REPLICATION_ROLE, host(address));
    }

    private static String host(String address) {
        return address.contains("/") ? address : address + (address.contains(":") ? "/128" : "/32");
    }

    private static String base() {
        return """
                # Managed by pgbox: rewritten on every start. Do not edit.
                # No trust, md5 or password lines: scram-sha-256 for every password login.
                # TYPE  DATABASE  USER      ADDRESS         METHOD
                local   all       %s                        peer map=%s
                host    all       all       127.0.0.1/32    scram-sha-256
                host    all       all       ::1/128         scram-sha-256
                """.formatted(dev.pgbox.sql.AdminSql.SUPERUSER, IDENT_MAP);
    }

    /** The pg_hba.conf line that lets PgBouncer's lookup role in (peer, mapped). */
    public static String poolerLine() {
        return POOLER_LINES.lines().filter(l -> l.contains(POOLER_ROLE)).findFirst().orElseThrow();
    }

    /** Maps the OS user that runs the server to the superuser role. */
    public static String renderIdent(String osUser) {
        return renderIdent(osUser, false);
    }

    /** With {@code pooler}, the same OS user (which runs PgBouncer too) also maps to {@link #POOLER_ROLE}. */
    public static String renderIdent(String osUser, boolean pooler) {
        return """
                # Managed by pgbox: rewritten on every start. Do not edit.
                # MAPNAME  SYSTEM-USERNAME  PG-USERNAME
                %s  %s  %s
                """.formatted(IDENT_MAP, osUser, dev.pgbox.sql.AdminSql.SUPERUSER)
                + (pooler ? "%s  %s  %s%n".formatted(IDENT_MAP, osUser, POOLER_ROLE) : "");
    }
}
