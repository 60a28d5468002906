package dev.pgbox.tune;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;

/**
 * One RAM budget for the whole box: the OS and other services, shared buffers, every connection's
 * worst case (work_mem x sorts + per-backend overhead), the pooler, maintenance and HNSW builds, and
 * the agent's JVM. Tuning, each app's connection limit and PgBouncer's pool sizes follow it.
 * SKELETON: the planner helper fills it in; the signatures below are what the pool and app code call.
 */
public final class RamPlan {

    /**
     * PgBouncer's sizes for one app database.
     *
     * @param poolSize server connections of the app's transaction pool (default_pool_size)
     * @param reservePoolSize extra server connections a waiting pool may borrow (reserve_pool_size)
     * @param sessionPoolSize server connections of the app's session pool (LISTEN/NOTIFY, session state)
     * @param maxDbConnections most server connections of all the app's pools together (max_db_connections)
     * @param maxClientConn most client connections PgBouncer accepts in all (max_client_conn)
     */
    public record PoolSizing(int poolSize, int reservePoolSize, int sessionPoolSize, int maxDbConnections, int maxClientConn) {
    }

    private RamPlan() {
    }

    /** Pool sizes for each of {@code apps} app databases under {@code plan}. */
    public static PoolSizing poolSizing(Settings settings, TuningPlan plan, int apps) {
        return new PoolSizing(10, 2, 2, 14, 1000);
    }

    /** The connection limit a new app's login role gets under {@code plan} with {@code apps} apps. */
    public static int appConnectionLimit(Settings settings, TuningPlan plan, int apps) {
        return settings.integer(Setting.PGBOX_APP_CONNECTION_LIMIT);
    }
}
