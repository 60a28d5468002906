package dev.pgbox.monitor;

/** The doctor's checks: pure functions from {@link Facts} and thresholds to findings. */
public final class Checks {
    private Checks() {
    }

    /** Client connections as a share of max_connections. */
    public static Finding connections(Facts.Server f, int warnPercent, int criticalPercent) {
        int pct = f.maxConnections() == 0 ? 0 : Math.round(100f * f.connections() / f.maxConnections());
        Severity s = pct >= criticalPercent ? Severity.CRITICAL : pct >= warnPercent ? Severity.WARN : Severity.OK;
        return new Finding("connections", s, null, null, f.connections() + " of " + f.maxConnections() + " (" + pct + " %)",
                "warn " + warnPercent + " %, critical " + criticalPercent + " %",
                "each connection is a server process; at max_connections new clients are refused",
                s == Severity.OK ? null : "pool the clients (pgbox plugin install pgbouncer), or lower app connection limits "
                        + "(pgbox app create NAME --connection-limit N); pgbox report activity shows who holds them");
    }
}
