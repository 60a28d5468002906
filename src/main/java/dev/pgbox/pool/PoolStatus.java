package dev.pgbox.pool;

/**
 * One PgBouncer pool as SHOW POOLS reports it: a (pool database, user) pair. Clients waiting
 * ({@code clWaiting}) found every server connection busy; a count above zero that stays is a pool
 * that is too small for its traffic.
 *
 * @param database the pool's name (an app database's transaction pool, or its session pool)
 * @param user the role the clients logged in as
 * @param clActive clients linked to a server connection or idle between transactions
 * @param clWaiting clients that sent a query and wait for a server connection
 * @param svActive server connections linked to a client
 * @param svIdle server connections unused and ready
 * @param svUsed server connections idle long enough to be checked before reuse
 * @param maxwait how long the oldest waiting client has waited, in seconds (with microseconds)
 * @param poolMode "transaction", "session" or "statement"
 */
public record PoolStatus(String database, String user, long clActive, long clWaiting, long svActive, long svIdle, long svUsed,
                         double maxwait, String poolMode) {

    /** Every server connection the pool holds now. */
    public long serverConnections() {
        return svActive + svIdle + svUsed;
    }
}
