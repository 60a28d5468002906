package dev.pgbox.tune;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.util.Optional;

/**
 * One RAM budget for the whole box ({@link RamBudget}): the OS and other services, shared buffers, every connection's
 * worst case (work_mem x sorts + per-backend memory), the pooler, maintenance and HNSW builds, and the agent's JVM.
 * Tuning ({@link Tuner}), each app's connection limit and PgBouncer's pool sizes follow it.
 *
 * <p>Connections: of max_connections, {@link Setting#RESERVED_CONNECTIONS} are kept for superusers
 * (superuser_reserved_connections) and {@link #PGBOX_CONNECTIONS} for pgbox itself; the rest, the apps' room, is
 * shared evenly by the apps: {@code room = max_connections - 3 - 4}, {@code share = room / apps}. WAL senders and
 * pg_cron's background workers do not take connection slots in PostgreSQL 15.
 */
public final class RamPlan {
    /**
     * Connections pgbox itself keeps out of the apps' room: the agent's watchdog and checks (1), a pgBackRest backup (2),
     * a pgbox command (1). They log in as superuser, so they could also use the reserved slots, which stay for a human.
     */
    public static final int PGBOX_CONNECTIONS = 4;

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

    /** The apps' room: max_connections less the superuser slots and pgbox's own, at least 1. */
    public static int appRoom(TuningPlan plan) {
        int maxConn = Integer.parseInt(plan.value("max_connections"));
        return Math.max(1, maxConn - Setting.RESERVED_CONNECTIONS - PGBOX_CONNECTIONS);
    }

    /**
     * Pool sizes for each of {@code apps} app databases under {@code plan}. Each app gets an even share of the apps'
     * room ({@link #appRoom}): {@code share = room / apps} (at least {@value #MIN_SHARE}); of it the session pool gets a fifth (at least 2: a
     * listener and a notifier), the reserve
     * a tenth, a login lookup connection per pool ({@link #LOOKUP_CONNECTIONS}), the transaction pool the rest (at least 1,
     * at most {@link #poolCap}); max_db_connections is their sum, so all apps' pools together
     * never pass max_connections while {@code room >= 5 x apps}. max_client_conn: PGBOUNCER_MAX_CLIENT_CONN when that
     * setting exists and is set, else {@value BoxReserve#DEFAULT_MAX_CLIENT_CONN}. Explicit PGBOUNCER_DEFAULT_POOL_SIZE,
     * PGBOUNCER_RESERVE_POOL_SIZE, PGBOUNCER_SESSION_POOL_SIZE and PGBOUNCER_MAX_DB_CONNECTIONS win where they exist.
     */
    public static PoolSizing poolSizing(Settings settings, TuningPlan plan, int apps) {
        int share = Math.max(MIN_SHARE, appRoom(plan) / Math.max(1, apps));
        // a listener and a notifier at once: LISTEN/NOTIFY needs two session connections
        int session = Math.max(2, share / 5);
        int reserve = share / 10;
        // more server connections than the CPUs can run only queue inside PostgreSQL: the pool's point is fewer
        // (PgBouncer's rule of thumb is 2 x cores + disks; 20 is the floor so a small box still serves bursts)
        int pool = Math.min(Math.max(1, share - session - reserve - 2 * LOOKUP_CONNECTIONS), poolCap(plan));
        pool = explicit(settings, "PGBOUNCER_DEFAULT_POOL_SIZE").orElse(pool);
        reserve = explicit(settings, "PGBOUNCER_RESERVE_POOL_SIZE").orElse(reserve);
        session = explicit(settings, "PGBOUNCER_SESSION_POOL_SIZE").orElse(session);
        int maxDb = explicit(settings, "PGBOUNCER_MAX_DB_CONNECTIONS").orElse(pool + reserve + session + 2 * LOOKUP_CONNECTIONS);
        int clients = BoxReserve.of(settings).poolerClients();
        return new PoolSizing(pool, reserve, session, maxDb, clients);
    }

    /**
     * Server connections each PgBouncer pool entry keeps beyond its pool for PgBouncer's login lookups (auth_query as
     * pgbox_pooler): they share the entry's max_db_connections, so with every pool connection busy a new client's
     * login would otherwise wait until a query ends (found by hand: a third client's login queued behind two busy ones).
     */
    public static final int LOOKUP_CONNECTIONS = 1;
    /** Fewest connections an app's share is cut to: a transaction pool of 1, a session pool of 2, a lookup for each. */
    static final int MIN_SHARE = 5;

    /** Most server connections one app's transaction pool opens: 4 per CPU, at least 20. */
    public static int poolCap(TuningPlan plan) {
        return Math.max(20, 4 * plan.machine().cpus());
    }

    /**
     * The connection limit a new app's login role gets under {@code plan} with {@code apps} apps (the new one counted):
     * PGBOX_APP_CONNECTION_LIMIT when set explicitly, else its even share of the apps' room, {@code room / apps}, at
     * least 3 - the same share its PgBouncer pools are cut from, so its pools always fit its own limit.
     */
    public static int appConnectionLimit(Settings settings, TuningPlan plan, int apps) {
        if (settings.explicit(Setting.PGBOX_APP_CONNECTION_LIMIT)) {
            return settings.integer(Setting.PGBOX_APP_CONNECTION_LIMIT);
        }
        return Math.max(3, appRoom(plan) / Math.max(1, apps));
    }

    /** The RAM budget of this plan. */
    public static RamBudget budget(TuningPlan plan) {
        return RamBudget.of(plan);
    }

    /** Whether these settings accept a worst case over RAM (PGBOX_PLAN_FORCE=on). */
    public static boolean forced(Settings settings) {
        return "on".equals(settings.get(Setting.PGBOX_PLAN_FORCE));
    }

    /**
     * Refuses a plan whose worst case exceeds RAM, before {@code verb} changes anything, unless PGBOX_PLAN_FORCE=on.
     * Returns the budget.
     */
    public static RamBudget require(Settings settings, TuningPlan plan, String verb) {
        // a single setting above its own share of RAM says so first, with its own fix
        settings.checkMemory(plan.machine().ramBytes(), plan.machine().ramSource());
        RamBudget b = RamBudget.of(plan);
        if (b.fits() || forced(settings)) {
            return b;
        }
        RamBudget.Line biggest = b.lines().stream().skip(1).max(java.util.Comparator.comparingLong(RamBudget.Line::bytes)).orElseThrow();
        throw new PgboxException(ErrorKind.CONFIG, "cannot " + verb + ": the worst case of this configuration, "
                + Size.human(b.worstBytes()) + ", exceeds the " + Size.human(b.ramBytes()) + " of RAM (" + b.ramSource() + ")",
                "the biggest line is " + biggest.name() + ": " + Size.human(biggest.bytes()) + " = " + biggest.reason()
                        + "; the server was left as it is",
                "lower POSTGRES_MAX_CONNECTIONS, POSTGRES_WORK_MEM, POSTGRES_SHARED_BUFFERS or POSTGRES_MAINTENANCE_WORK_MEM"
                        + " (or drop them to let pgbox tune), see 'pgbox plan'; or set PGBOX_PLAN_FORCE=on to accept it");
    }

    private static Optional<Integer> explicit(Settings settings, String name) {
        return Setting.byName(name).filter(settings::explicit).map(settings::integer);
    }
}
