package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.security.Rls;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /** The database of APP: a pgbox app, or the main POSTGRES_DB. */
    static String database(Settings s, Server server, String appText) {
        String name = AppArgument.check(s, appText);
        if (!name.equals(s.get(Setting.POSTGRES_DB))) {
            new Apps(server).requirePgboxApp(new AppName(name));
        }
        return name;
    }

    static String loginRole(Settings s, String database) {
        return database.equals(s.get(Setting.POSTGRES_DB)) ? s.get(Setting.POSTGRES_USER) : database;
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
            AppArgument.check(s, app);
            Server server = Server.open(s).requireRunning("enable row-level security");
            String db = database(s, server, app);
            String type = Rls.enable(server.admin(), db, t, column);
            out().println("row-level security on " + t + " in " + db + ": ENABLE + FORCE, policy " + Rls.POLICY + " on " + column
                    + " (" + type + "), index on " + column);
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
            AppArgument.check(s, app);
            Server server = Server.open(s).requireRunning("test row-level security");
            String db = database(s, server, app);
            List<Rls.TestResult> results = Rls.test(server.admin(), db, dev.pgbox.service.Connections.targetFor(server, db), column);
            boolean failed = results.stream().anyMatch(Rls.TestResult::failed);
            if (json) {
                out().println(Tables.json(Map.of("passed", !failed, "tables", results.stream().map(r -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("table", r.table());
                    m.put("tenant_column", r.column());
                    m.put("read_other", label(r.read()));
                    m.put("update_other", label(r.update()));
                    m.put("delete_other", label(r.delete()));
                    m.put("insert_other", label(r.insert()));
                    m.put("note", r.note());
                    return m;
                }).toList())));
            } else if (results.isEmpty()) {
                out().println("no table in " + db + " has row-level security; see 'pgbox rls audit " + app + "'");
            } else {
                out().println(Tables.aligned(List.of("table", "tenant column", "read other", "update other", "delete other",
                        "insert as other", "note"), results.stream().map(r -> List.of(r.table(), r.column(), label(r.read()),
                        label(r.update()), label(r.delete()), label(r.insert()), r.note())).toList()));
                out().println(failed ? "FAIL: a tenant can reach another tenant's rows" : "pass: every tested table isolates its tenants");
            }
            return failed ? ErrorKind.FINDINGS.exitCode() : 0;
        }

        private static String label(Rls.Outcome o) {
            return o.name().toLowerCase(Locale.ROOT);
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
            AppArgument.check(s, app);
            Server server = Server.open(s).requireRunning("audit row-level security");
            String db = database(s, server, app);
            return Findings.print(Rls.audit(server.admin(), db, column, loginRole(s, db)), json, out());
        }
    }
}
