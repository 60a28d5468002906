package dev.pgbox.cluster;

/**
 * pg_hba.conf and pg_ident.conf as pgbox writes them: no trust, no md5, no password. The superuser
 * is reachable only over the Unix socket by the OS user that runs the server (peer, mapped);
 * everything else authenticates with scram-sha-256 over loopback TCP.
 */
public final class HbaFile {
    public static final String IDENT_MAP = "pgbox";

    private HbaFile() {
    }

    public static String render() {
        return render(java.util.List.of());
    }

    /** With one hostssl line per allowed network (POSTGRES_ALLOWED_CIDRS): TLS and scram-sha-256 required. */
    public static String render(java.util.List<String> allowedCidrs) {
        StringBuilder remote = new StringBuilder();
        for (String cidr : allowedCidrs) {
            String net = cidr.contains("/") ? cidr : cidr + (cidr.contains(":") ? "/128" : "/32");
            remote.append(String.format("hostssl all       all       %-15s scram-sha-256%n", net));
        }
        return base() + (remote.length() == 0 ? "" : "# remote clients (POSTGRES_ALLOWED_CIDRS): TLS and scram-sha-256 only\n" + remote);
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

    /** Maps the OS user that runs the server to the superuser role. */
    public static String renderIdent(String osUser) {
        return """
                # Managed by pgbox: rewritten on every start. Do not edit.
                # MAPNAME  SYSTEM-USERNAME  PG-USERNAME
                %s  %s  %s
                """.formatted(IDENT_MAP, osUser, dev.pgbox.sql.AdminSql.SUPERUSER);
    }
}
