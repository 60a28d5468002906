package dev.pgbox.cli;

import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import dev.pgbox.tune.RamBudget;
import dev.pgbox.tune.RamPlan;
import dev.pgbox.tune.TuningPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** pgbox plan: one RAM budget for the box, worst case, with the connection limits and pool sizes that follow it. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"One RAM budget for this box: the OS and other services, shared buffers, every connection's worst case,",
                "the pooler, maintenance and HNSW builds, and the agent. Warns when the worst case exceeds RAM; start, restart",
                "and 'tune --apply' refuse such a configuration unless PGBOX_PLAN_FORCE=on."})
final class PlanCommand extends BaseCommand implements Callable<Integer> {
    /** Memory and connection parameters the budget is made of, shown beside it. */
    private static final List<String> PARAMETERS = List.of("max_connections", "shared_buffers", "work_mem", "maintenance_work_mem",
            "wal_buffers", "autovacuum_max_workers", "max_parallel_workers");

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Settings s = settings();
        Server server = Server.open(s);
        TuningPlan plan = server.plan();
        RamBudget budget = RamPlan.budget(plan);
        // the apps share the connections evenly: count them when the server can say, else plan for the main database alone
        int apps = server.running() ? new Apps(server).allDatabases().size() : 1;
        RamPlan.PoolSizing pools = RamPlan.poolSizing(s, plan, apps);
        int appLimit = RamPlan.appConnectionLimit(s, plan, apps + 1);
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("ram_bytes", budget.ramBytes());
            r.put("ram_source", budget.ramSource());
            r.put("ram_share_percent", plan.sharePercent());
            r.put("host_share_percent", plan.reserve().hostSharePercent());
            r.put("postgres_budget_bytes", plan.budgetBytes());
            r.put("profile", plan.profile().label());
            r.put("lines", budget.lines().stream().map(l -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", l.name());
                m.put("bytes", l.bytes());
                m.put("reason", l.reason());
                return m;
            }).toList());
            r.put("worst_bytes", budget.worstBytes());
            r.put("postgres_bytes", budget.postgresBytes());
            r.put("headroom_bytes", budget.headroomBytes());
            r.put("fits", budget.fits());
            r.put("forced", RamPlan.forced(s));
            r.put("warnings", budget.warnings());
            Map<String, Object> values = new LinkedHashMap<>();
            PARAMETERS.forEach(g -> values.put(g, plan.value(g)));
            r.put("settings", values);
            r.put("apps", apps);
            r.put("app_room", RamPlan.appRoom(plan));
            r.put("next_app_connection_limit", appLimit);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pool_size", pools.poolSize());
            p.put("reserve_pool_size", pools.reservePoolSize());
            p.put("session_pool_size", pools.sessionPoolSize());
            p.put("max_db_connections", pools.maxDbConnections());
            p.put("max_client_conn", pools.maxClientConn());
            r.put("pool_per_app", p);
            out().println(Tables.json(r));
            return 0;
        }
        out().printf("RAM %s (%s) · PostgreSQL plans for %s (POSTGRES_RAM_SHARE %d%%) · profile %s%n%n", Size.human(budget.ramBytes()),
                budget.ramSource(), Size.human(plan.budgetBytes()), plan.sharePercent(), plan.profile().label());
        List<List<String>> rows = new ArrayList<>();
        budget.lines().forEach(l -> rows.add(List.of(l.name(), Size.human(l.bytes()), l.reason())));
        rows.add(List.of("worst case", Size.human(budget.worstBytes()), "the sum: all of it may be in use at once"));
        rows.add(List.of("RAM", Size.human(budget.ramBytes()), budget.ramSource()));
        rows.add(List.of("headroom", Size.human(budget.headroomBytes()), budget.fits()
                ? "no line claims it: page cache, and HNSW builds may raise maintenance_work_mem into it"
                : "NEGATIVE: the worst case exceeds RAM"));
        out().println(Tables.aligned(List.of("what", "bytes", "reason"), rows));
        out().println();
        out().printf("connections: %s max_connections - 3 superuser - %d pgbox = %d for %d app database(s); a new app's limit: %d%n",
                plan.value("max_connections"), RamPlan.PGBOX_CONNECTIONS, RamPlan.appRoom(plan), apps, appLimit);
        out().printf("PgBouncer per app: pool %d + reserve %d + session %d + %d login lookups = max_db_connections %d; max_client_conn %d%n",
                pools.poolSize(), pools.reservePoolSize(), pools.sessionPoolSize(), 2 * RamPlan.LOOKUP_CONNECTIONS, pools.maxDbConnections(),
                pools.maxClientConn());
        for (String w : budget.warnings()) {
            out().println("WARNING: " + w);
        }
        if (!budget.fits()) {
            out().println(RamPlan.forced(s) ? "PGBOX_PLAN_FORCE=on: start, restart and 'tune --apply' accept it anyway"
                    : "start, restart and 'tune --apply' refuse this configuration (PGBOX_PLAN_FORCE=on accepts it)");
        }
        return 0;
    }
}
