package dev.pgbox.cli;

import dev.pgbox.apps.AppName;
import dev.pgbox.config.Settings;
import dev.pgbox.schema.audit.NewTable;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox schema new-table: writes (or prints) {@link NewTable}'s migration pair; needs no server. */
@Command(name = "new-table", mixinStandardHelpOptions = true,
        description = {"Scaffold a table following the np_ convention as a migration pair in migrations/APP:",
                "id uuid PRIMARY KEY DEFAULT gen_random_uuid(), source_account_id, created_at/updated_at timestamptz",
                "NOT NULL DEFAULT now() and the updated_at trigger. Apply it with 'pgbox migrate up APP'."})
final class SchemaNewTableCommand extends BaseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "APP", description = "An app (pgbox app create) or the main POSTGRES_DB.")
    String app;

    @Parameters(index = "1", paramLabel = "NAME", description = "Table name (np_ prefix by convention), optionally schema.name.")
    String name;

    @Option(names = "--soft-delete", description = "Add deleted_at timestamptz and a partial index WHERE deleted_at IS NULL.")
    boolean softDelete;

    @Option(names = "--tenant", description = "Add tenant_id uuid with an index, and row-level security as 'pgbox rls enable' sets it up.")
    boolean tenant;

    @Option(names = "--vector", paramLabel = "DIM", description = "Add embedding vector(DIM) with an HNSW cosine index.")
    Integer vector;

    @Option(names = "--print", description = "Print the SQL instead of writing the files.")
    boolean print;

    @Override
    public Integer call() {
        Settings s = settings();
        AppName appName = new AppName(AppArgument.check(s, app));
        String[] n = NewTable.parseName(name);
        NewTable.Spec spec = new NewTable.Spec(n[0], n[1], softDelete, tenant, vector);
        NewTable.Scaffold made = print ? NewTable.print(spec) : NewTable.write(s.projectDir(), appName, spec);
        if (made.warning() != null) {
            err().println("warning: " + made.warning());
        }
        if (print) {
            out().println("-- up");
            out().print(made.up());
            out().println("-- down");
            out().print(made.down());
        } else {
            for (Path p : made.files()) {
                out().println(p);
            }
        }
        return 0;
    }
}
