package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.security.Rls;
import dev.pgbox.security.TenantIsolation;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rls", mixinStandardHelpOptions = true,
        description = {"Row-level security for multi-tenant tables: the app sets its tenant per transaction with",
                "SET LOCAL app.tenant_id = '...', and a forgotten WHERE clause can no longer leak another tenant's rows."},
        subcommands = {RlsCommand.Enable.class, RlsCommand.Test.class, RlsCommand.Audit.class})
final class RlsCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "enable", mixinStandardHelpOptions = true,
            description = {"ENABLE and FORCE row-level security on TABLE of APP, with a policy comparing the tenant column to",
                    "current_setting('app.tenant_id', true) (cast to the column's type) and an index on that column. Idempotent."})
    static final class Enable extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "TABLE", description = "table or schema.table")
        String table;

        @Option(names = "--tenant-column", defaultValue = "tenant_id", description = "Tenant column (default: ${DEFAULT-VALUE}).")
        String column;

        @Override
        public Integer call() {
            Rls.TableName t = Rls.TableName.parse(table);
            Rls.requireColumn(column);
            Settings s = settings();
            String name = AppArgument.check(s, app);
            Rls.Enabled e = new TenantIsolation(Server.open(s)).enable(name, t, column);
            out().println("row-level security on " + e.table() + " in " + e.database() + ": ENABLE + FORCE, policy " + Rls.POLICY + " on "
                    + e.column() + " (" + e.type() + "), index on " + e.column());
            out().println("  the app sets its tenant per transaction: SET LOCAL " + Rls.SETTING + " = '<tenant>'");
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"For every table of APP with row-level security: connect as the app's login role, pick one tenant",
                    "with SET LOCAL, and try to read, update, delete and insert another tenant's rows. Runs in a transaction",
                    "that is rolled back. Exits 11 when any tenant reaches another's rows."})
    static final class Test extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Option(names = "--tenant-column", defaultValue = "tenant_id",
                description = "Tenant column for tables whose policy pgbox did not write (default: ${DEFAULT-VALUE}).")
        String column;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Rls.requireColumn(column);
            Settings s = settings();
            String db = AppArgument.check(s, app);
            Rls.TestReport report = new TenantIsolation(Server.open(s)).test(db, column);
            if (json) {
                out().println(Json.render(report));
            } else if (report.tables().isEmpty()) {
                out().println("no table in " + db + " has row-level security; see 'pgbox rls audit " + app + "'");
            } else {
                out().println(Tables.aligned(List.of("table", "tenant column", "read other", "update other", "delete other",
                        "insert as other", "note"), report.tables().stream().map(r -> List.of(r.table(), r.tenantColumn(),
                        r.readOther().label(), r.updateOther().label(), r.deleteOther().label(), r.insertOther().label(), r.note()))
                        .toList()));
                out().println(report.passed() ? "pass: every tested table isolates its tenants" : "FAIL: a tenant can reach another tenant's rows");
            }
            return report.passed() ? 0 : ErrorKind.FINDINGS.exitCode();
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = {"Tables of APP with a tenant column but no row-level security, RLS without FORCE, policies whose",
                    "column has no index, and tables the app's login role owns (owners bypass RLS). Exits 11 on high severity."})
    static final class Audit extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Option(names = "--tenant-column", defaultValue = "tenant_id", description = "Tenant column (default: ${DEFAULT-VALUE}).")
        String column;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Rls.requireColumn(column);
            Settings s = settings();
            return Findings.print(new TenantIsolation(Server.open(s)).audit(AppArgument.check(s, app), column), json, out());
        }
    }
}
