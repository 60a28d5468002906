package dev.pgbox.tune;

import java.util.Locale;

/** The workload a plan is made for. */
public enum Profile {
    /** Many short queries from web apps: the default. */
    WEB(100, 2, 4),
    /** Heavy short transactions. */
    OLTP(200, 3, 8),
    /** Some of both. */
    MIXED(100, 2, 4),
    /** Few connections, large sorts and scans. */
    ANALYTICS(40, 1, 16);

    final int maxConnections;
    /** Sorts or hashes one busy query may run at once. */
    final int opsPerQuery;
    final int maxWalGb;

    Profile(int maxConnections, int opsPerQuery, int maxWalGb) {
        this.maxConnections = maxConnections;
        this.opsPerQuery = opsPerQuery;
        this.maxWalGb = maxWalGb;
    }

    public static Profile parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
