package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.sql.Jdbc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Work with the application database.",
        subcommands = {DbCommand.Shell.class, DbCommand.Query.class, DbBackupCommands.Backup.class,
                DbBackupCommands.Restore.class, DbBackupCommands.RestorePoint.class, DbBackupCommands.Verify.class})
final class DbCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** The running server and the app role's connection; fails with NOT_RUNNING otherwise. */
    static Connection appConnection(Settings s, Server server) {
        return Connection.of(s, server.requireRunning("connect").layout());
    }

    @Command(name = "shell", mixinStandardHelpOptions = true,
            description = {"Open psql as the application role over TLS. The password goes to psql through its",
                    "environment, never the command line."})
    static final class Shell extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            Settings s = settings();
            Server server = Server.open(s);
            Connection c = appConnection(s, server);
            Jdbc.Target t = c.target(s);
            return ProcessRunner.runInteractive(dev.pgbox.exec.Command.of(server.layout().pg().bin("psql"), "-X")
                    .env("PGHOST", c.host()).env("PGPORT", Integer.toString(c.port())).env("PGDATABASE", c.database())
                    .env("PGUSER", c.user()).env("PGPASSWORD", t.password()).env("PGSSLMODE", "verify-full")
                    .env("PGSSLROOTCERT", c.cert().toString()).env("PGAPPNAME", "pgbox shell").build());
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = {"Run SQL as the application role and print the result (a table, --json or --csv).",
                    "Use - to read the SQL from standard input. A SQL error prints its SQLSTATE and exits 8."})
    static final class Query extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SQL", description = "The SQL text, or - for standard input.")
        String sql;

        static final class Format {
            @Option(names = "--json", description = "Rows as a JSON array of objects.")
            boolean json;

            @Option(names = "--csv", description = "Rows as CSV with a header line.")
            boolean csv;
        }

        @ArgGroup(exclusive = true)
        Format format = new Format();

        @Override
        public Integer call() throws IOException {
            Settings s = settings();
            String text = sql.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : sql;
            if (text.isBlank()) {
                throw new PgboxException(ErrorKind.USAGE, "no SQL given", "the SQL argument is empty",
                        "pass the SQL as one argument: pgbox db query \"SELECT 1\"");
            }
            Server server = Server.open(s);
            Connection c = appConnection(s, server);
            Jdbc.Result r;
            try (java.sql.Connection conn = Jdbc.connect(c.target(s))) {
                r = Jdbc.execute(conn, text);
            } catch (java.sql.SQLException e) {
                throw new PgboxException(ErrorKind.SQL, "the connection failed", Jdbc.sqlCause(e), "check 'pgbox status'");
            }
            print(r);
            return 0;
        }

        private void print(Jdbc.Result r) {
            if (!r.hasRows()) {
                if (format.json) {
                    out().println(Tables.json(Map.of("rows_affected", r.updateCount())));
                } else if (!format.csv) {
                    out().println("OK, " + r.updateCount() + (r.updateCount() == 1 ? " row" : " rows") + " affected");
                }
                return;
            }
            if (format.json) {
                List<Map<String, String>> rows = new ArrayList<>();
                for (List<String> row : r.rows()) {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (int i = 0; i < r.columns().size(); i++) {
                        m.put(r.columns().get(i), row.get(i));
                    }
                    rows.add(m);
                }
                out().println(Tables.json(rows));
            } else if (format.csv) {
                out().print(Tables.csv(r.columns(), r.rows()));
            } else {
                out().println(Tables.aligned(r.columns(), r.rows()));
            }
        }
    }

}
