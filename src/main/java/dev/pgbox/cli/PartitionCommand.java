package dev.pgbox.cli;

import dev.pgbox.Json;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.partition.PartitionSpec;
import dev.pgbox.partition.Partitions;
import dev.pgbox.security.Rls;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox partition create|list|convert: time partitions with pg_partman (native), kept by the app's maintenance job. */
@Command(name = "partition", mixinStandardHelpOptions = true,
        description = "Time-based partitions with pg_partman (native), made ahead and dropped after retention by a scheduled job.",
        subcommands = {PartitionCommand.Create.class, PartitionCommand.ListPartitions.class, PartitionCommand.Convert.class})
final class PartitionCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** The options create and convert share. */
    static class SetOptions {
        @Option(names = "--column", defaultValue = "created_at", description = "Partition column: timestamptz, timestamp or date, NOT NULL"
                + " (default: ${DEFAULT-VALUE}).")
        String column;

        @Option(names = "--interval", defaultValue = "monthly", description = "yearly, quarterly, monthly, weekly, daily, hourly,"
                + " or an amount like '2 weeks' (default: ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--premake", defaultValue = "3", description = "Partitions made ahead of now (default: ${DEFAULT-VALUE}).")
        int premake;

        @Option(names = "--retention", description = "Drop partitions older than this, e.g. '12 months'; 'none' keeps every partition."
                + " Not given: unchanged (none for a new set).")
        String retention;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Hand TABLE of APP, made by a migration as PARTITION BY RANGE (column) with no partitions yet, to pg_partman:",
                    "partitions from --start (default: premake intervals back) to premake intervals ahead, retention, and the",
                    "app's maintenance job. Run again to change premake or retention. A plain table: see 'partition convert'."})
    static final class Create extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "TABLE", description = "table or schema.table")
        String table;

        @picocli.CommandLine.Mixin
        SetOptions set;

        @Option(names = "--start", description = "Start of the first partition: YYYY-MM-DD (for rows older than now).")
        String start;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Rls.TableName t = Rls.TableName.parse(table);
            PartitionSpec ps = PartitionSpec.of(set.column, set.interval, set.premake, set.retention, start);
            Settings s = settings();
            String name = AppArgument.check(s, app);
            Progress progress = json ? Progress.SILENT : console();
            Partitions.Created c = new Partitions(Server.open(s)).create(name, t, ps, progress);
            if (json) {
                out().println(Json.render(c));
                return 0;
            }
            out().println((c.alreadyManaged() ? "updated " : "partitioned ") + c.table() + " in " + c.database() + ": " + c.interval()
                    + " on " + c.column() + ", " + c.premake() + " ahead, retention " + (c.retention() == null ? "none" : c.retention()));
            out().println("  " + c.partitions() + " partitions, from " + c.oldest() + " to " + c.newest() + " (plus a default partition)");
            out().println("  pg_partman's maintenance makes new ones ahead and drops old ones: see 'pgbox jobs list --app " + c.database() + "'");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Partition sets pg_partman manages in APP: column, interval, premake, retention, partitions, the oldest and",
                    "newest bounds, rows in the default partition (rows outside every partition: a problem) and total size."})
    static final class ListPartitions extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            Partitions.PartitionList l = new Partitions(Server.open(s)).list(AppArgument.check(s, app));
            if (json) {
                out().println(Json.render(l));
                return 0;
            }
            if (l.sets().isEmpty()) {
                out().println("no partitioned tables in " + l.database() + "; see 'pgbox partition create --help'");
                return 0;
            }
            out().println(Tables.aligned(List.of("table", "column", "interval", "premake", "retention", "partitions", "oldest from",
                    "newest to", "default rows", "size"), l.sets().stream().map(p -> List.of(p.table(), p.column(), p.interval(),
                    Integer.toString(p.premake()), p.retention() == null ? "none" : p.retention(), Long.toString(p.partitions()),
                    orDash(p.oldest()), orDash(p.newest()), (p.defaultRowsCapped() ? ">" : "") + p.defaultRows(), dev.pgbox.config.Size.human(p.bytes())))
                    .toList()));
            for (Partitions.PartitionSet p : l.sets()) {
                if (p.defaultHasRows()) {
                    out().println("warning: " + p.defaultPartition() + " holds " + p.defaultRows() + " rows outside every partition's range"
                            + " (pg_partman cannot make a partition over them); move them with:"
                            + " CALL partman.partition_data_proc('" + p.table() + "')");
                }
            }
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = {"Move the plain TABLE of APP to a pg_partman partition set while the app keeps writing: an empty",
                    "partitioned copy (partitions from the oldest row on), a trigger mirroring every write, batches copying the",
                    "rows, then one short locked swap. The old table stays as TABLE_pre_partition until you drop it."})
    static final class Convert extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "TABLE", description = "table or schema.table")
        String table;

        @picocli.CommandLine.Mixin
        SetOptions set;

        @Option(names = "--batch-rows", description = "Rows per copy transaction (default: PGBOX_PARTITION_BATCH_ROWS).")
        Integer batchRows;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Rls.TableName t = Rls.TableName.parse(table);
            PartitionSpec ps = PartitionSpec.of(set.column, set.interval, set.premake, set.retention, null);
            Settings s = settings();
            String name = AppArgument.check(s, app);
            int batch = batchRows != null ? batchRows : s.integer(Setting.PGBOX_PARTITION_BATCH_ROWS);
            Progress progress = json ? Progress.SILENT : console();
            var c = new Partitions(Server.open(s)).convert(name, t, ps, batch, s.get(Setting.PGBOX_PARTITION_LOCK_TIMEOUT), progress);
            if (json) {
                out().println(Json.render(c));
                return 0;
            }
            out().println("converted " + c.table() + " in " + c.database() + ": " + c.rows() + " rows in " + c.partitions()
                    + " partitions (" + c.interval() + " on " + c.column() + ")");
            out().println(String.format(Locale.ROOT, "  copy %.1f s, total %.1f s; the swap held the lock %d ms (try %d; counting the"
                    + " rows of both tables under it: %d ms)", c.copySeconds(), c.totalSeconds(), c.swapLockMillis(), c.swapAttempts(),
                    c.swapCountMillis()));
            for (String n : c.notes()) {
                out().println("  note: " + n);
            }
            out().println("  the old table is kept as " + c.keptAs() + "; once the app works, drop it: DROP TABLE " + c.keptAs() + ";");
            return 0;
        }
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
