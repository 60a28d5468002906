package dev.pgbox.pool;

import java.util.List;

/**
 * What PgBouncer's admin console says now: every pool (SHOW POOLS), the traffic per pool database
 * (SHOW STATS) and the totals {@code pgbox status} prints on one line. The console's own
 * {@code pgbouncer} database is left out.
 *
 * @param port PGBOUNCER_PORT, where clients connect (127.0.0.1)
 * @param pools each pool, by database then user
 * @param traffic each pool database's counters since PgBouncer started
 * @param clientsActive the sum of cl_active over the pools
 * @param clientsWaiting the sum of cl_waiting over the pools
 * @param serverConnections the server connections the pools hold (sv_active + sv_idle + sv_used)
 * @param longestWaitSeconds the longest wait of any waiting client now (the largest maxwait)
 */
public record PoolReport(int port, List<PoolStatus> pools, List<Traffic> traffic, long clientsActive, long clientsWaiting,
                         long serverConnections, double longestWaitSeconds) {

    /** The totals over {@code pools}. */
    public static PoolReport of(int port, List<PoolStatus> pools, List<Traffic> traffic) {
        return new PoolReport(port, pools, traffic,
                pools.stream().mapToLong(PoolStatus::clActive).sum(),
                pools.stream().mapToLong(PoolStatus::clWaiting).sum(),
                pools.stream().mapToLong(PoolStatus::serverConnections).sum(),
                pools.stream().mapToDouble(PoolStatus::maxwait).max().orElse(0));
    }

    /**
     * One pool database's counters (SHOW STATS).
     *
     * @param totalXactCount transactions pooled since start
     * @param totalQueryCount queries pooled since start
     * @param avgQueryTime the average query time over the last stats period, in microseconds
     * @param avgWaitTime the average time clients waited for a server connection over the last period, in microseconds
     */
    public record Traffic(String database, long totalXactCount, long totalQueryCount, long avgQueryTime, long avgWaitTime) {
    }
}
