package dev.pgbox.cli;

import dev.pgbox.Json;
import dev.pgbox.component.Health;
import dev.pgbox.pool.PoolReport;
import dev.pgbox.pool.PoolStatus;
import dev.pgbox.service.PoolService;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** pgbox pool enable|disable|status: PgBouncer in front of the server. */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = {"Connection pooling with PgBouncer on 127.0.0.1:PGBOUNCER_PORT (6432): a transaction pool and a session",
                "pool per app, clients authenticated with scram-sha-256 over TLS. 'pgbox app url NAME --pooled' prints the URLs."},
        subcommands = {PoolCommand.Enable.class, PoolCommand.Disable.class, PoolCommand.Status.class})
final class PoolCommand extends BaseCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = {"Turn PgBouncer on (PGBOUNCER_ENABLED=on in the project's env file) and start it: installs the",
                    "pgbouncer package when missing. Running it again changes nothing."})
    static final class Enable extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            printChange(PoolService.enable(settings(), console()), out());
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = {"Stop PgBouncer and turn it off (PGBOUNCER_ENABLED=off). Clients of the pooled URLs lose their",
                    "connections; the direct URLs ('pgbox app url NAME') keep working. Running it again changes nothing."})
    static final class Disable extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            printChange(PoolService.disable(settings()), out());
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"PgBouncer's health, its pools (SHOW POOLS: clients active and waiting, server connections, longest",
                    "wait) and traffic (SHOW STATS). cl_waiting above 0 for long means the pool is too small."})
    static final class Status extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            PoolService.Status s = PoolService.status(settings());
            if (json) {
                out().println(Json.render(s));
            } else {
                printStatus(s, out());
            }
            return 0;
        }
    }

    static void printChange(PoolService.Change c, PrintWriter o) {
        String state = c.enabled() ? "on" : "off";
        if (!c.changed()) {
            o.println("PgBouncer is already " + state + "; nothing to do");
        } else {
            o.println("PgBouncer is " + state + ": " + (c.actions().isEmpty() ? "done" : String.join("; ", c.actions())));
        }
        o.println("  health:  " + health(c.health()));
        if (c.enabled()) {
            o.println("  listens: 127.0.0.1:" + c.port() + " (TLS, scram-sha-256)");
            o.println("  urls:    pgbox app url NAME --pooled   (transaction pool; --session for LISTEN/NOTIFY)");
        } else {
            o.println("  clients: connect directly ('pgbox app url NAME')");
        }
        o.println("  setting: PGBOUNCER_ENABLED=" + state + " in " + c.envFile());
    }

    static void printStatus(PoolService.Status s, PrintWriter o) {
        o.println("pgbouncer  " + health(s.health()));
        if (!s.enabled()) {
            o.println("           turn it on with 'pgbox pool enable'");
            return;
        }
        PoolReport r = s.report();
        if (r == null) {
            o.println("           the admin console does not answer" + (s.health().fix() != null ? "; fix: " + s.health().fix() : ""));
            return;
        }
        o.println("listen     127.0.0.1:" + r.port() + " · " + r.pools().size() + " pools · " + r.clientsActive() + " clients active · "
                + r.clientsWaiting() + " waiting (cl_waiting) · " + r.serverConnections() + " server connections");
        List<List<String>> rows = new ArrayList<>();
        for (PoolStatus p : r.pools()) {
            rows.add(List.of(p.database(), p.user(), p.poolMode(), Long.toString(p.clActive()), Long.toString(p.clWaiting()),
                    Long.toString(p.svActive()), Long.toString(p.svIdle()), Long.toString(p.svUsed()),
                    String.format(Locale.ROOT, "%.1fs", p.maxwait())));
        }
        o.println(Tables.aligned(List.of("database", "user", "pool_mode", "cl_active", "cl_waiting", "sv_active", "sv_idle", "sv_used",
                "maxwait"), rows));
        if (!r.traffic().isEmpty()) {
            List<List<String>> t = new ArrayList<>();
            for (PoolReport.Traffic x : r.traffic()) {
                t.add(List.of(x.database(), Long.toString(x.totalXactCount()), Long.toString(x.totalQueryCount()),
                        String.format(Locale.ROOT, "%.2f", x.avgQueryTime() / 1000.0), String.format(Locale.ROOT, "%.2f", x.avgWaitTime() / 1000.0)));
            }
            o.println();
            o.println(Tables.aligned(List.of("database", "total_xact_count", "total_query_count", "avg_query_ms", "avg_wait_ms"), t));
        }
        if (r.clientsWaiting() > 0) {
            o.println();
            o.println("clients are waiting for a server connection: if cl_waiting stays above 0, the pool is too small (see 'pgbox plan')");
        }
    }

    static String health(Health h) {
        return h.state().name().toLowerCase(Locale.ROOT) + (h.detail() == null ? "" : " · " + h.detail())
                + (h.fix() != null ? " · fix: " + h.fix() : "");
    }
}
