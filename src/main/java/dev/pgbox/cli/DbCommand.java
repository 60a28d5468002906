package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import dev.pgbox.apps.Connections;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Work with the application database.",
        subcommands = {DbCommand.Shell.class, DbCommand.Query.class, DbBackupCommands.Backup.class,
                DbBackupCommands.Restore.class, DbBackupCommands.RestorePoint.class, DbBackupCommands.Verify.class, ReplicaCommand.class})
final class DbCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** --app and --owner: which database and role db shell and db query connect as. */
    static final class Who {
        @Option(names = "--app", paramLabel = "NAME",
                description = "Connect to app NAME's database as its login role (password PGBOX_APP_NAME_PASSWORD).")
        String app;

        @Option(names = "--owner", description = "With --app: log in as the login role and run as NAME_owner (migrations, DDL).")
        boolean owner;

        Connections.As as() {
            return Connections.As.of(app, owner);
        }
    }

    @Command(name = "shell", mixinStandardHelpOptions = true,
            description = {"Open psql over TLS as the application role (POSTGRES_USER), or as an app's login role with --app.",
                    "The password (and --owner's role) go to psql through its environment, never the command line."})
    static final class Shell extends BaseCommand implements Callable<Integer> {
        @Mixin
        Who who = new Who();

        @Override
        public Integer call() {
            Connections.As as = who.as(); // usage errors before the settings are read
            return dev.pgbox.service.Shell.open(Server.open(settings()), as);
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = {"Run SQL as the application role (or an app's, with --app) and print the result (a table, --json or --csv).",
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

        @Mixin
        Who who = new Who();

        @Override
        public Integer call() throws IOException {
            Connections.As as = who.as(); // usage errors before the settings are read
            String text = sql.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : sql;
            dev.pgbox.service.Query.requireText(text);
            print(dev.pgbox.service.Query.run(Server.open(settings()), as, text));
            return 0;
        }

        private void print(dev.pgbox.service.Query.Result r) {
            if (!r.hasRows()) {
                if (format.json) {
                    out().println(Tables.json(Map.of("rows_affected", r.rowsAffected())));
                } else if (!format.csv) {
                    out().println("OK, " + r.rowsAffected() + (r.rowsAffected() == 1 ? " row" : " rows") + " affected");
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
