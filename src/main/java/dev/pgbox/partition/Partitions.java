package dev.pgbox.partition;

import static dev.pgbox.sql.SqlText.ident;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.apps.Connections;
import dev.pgbox.cluster.Server;
import dev.pgbox.jobs.DefaultJobs;
import dev.pgbox.security.Rls.TableName;
import dev.pgbox.sql.RoleSql;
import java.util.ArrayList;
import java.util.List;

/**
 * 'pgbox partition create|list|convert' as a service. Schema changes run as the app's owner role (the
 * role that owns its tables and may use pg_partman); the listing reads the catalog as the superuser.
 * After a partition set is made, the app's default jobs are synced so pg_partman's maintenance runs.
 */
public final class Partitions {
    /** Rows in a default partition are counted up to this many (more is "more than"). */
    static final long DEFAULT_ROWS_CAP = 1_000_000;

    private final Server server;

    public Partitions(Server server) {
        this.server = server;
    }

    /** What 'partition create' did. */
    public record Created(String database, String table, String column, String interval, int premake, String retention,
                          boolean alreadyManaged, long partitions, String oldest, String newest) {
    }

    /** One partition set as 'partition list' shows it; bounds are pg_get_expr texts, null when there is none. */
    public record PartitionSet(String table, String column, String interval, int premake, String retention, long partitions,
                               String oldest, String newest, String defaultPartition, long defaultRows, boolean defaultRowsCapped,
                               long bytes) {
        /** Rows in the default partition were written outside every partition's range: they need attention. */
        public boolean defaultHasRows() {
            return defaultRows > 0;
        }
    }

    /** Every partition set of one app's database. */
    public record PartitionList(String database, List<PartitionSet> sets) {
    }

    /** Hands TABLE (already PARTITION BY RANGE on the column, no partitions yet) to pg_partman; idempotent. */
    public Created create(String app, TableName table, PartitionSpec spec, Progress progress) {
        AppName name = requireApp(app, "create partitions");
        RoleSql owner = ownerSql(name);
        String db = name.value();
        Inspected t = inspect(owner, db, table, spec.column());
        if (t.relkind().isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "no table " + table + " in app " + db,
                    "pgbox partitions a table that a migration made as PARTITION BY RANGE on the column",
                    "create it in a migration, e.g. " + PartitionSql.exampleTable(table, spec.column())
                            + " (an existing plain table: pgbox partition convert " + db + " " + table + " --column " + spec.column() + ")");
        }
        if (t.relkind().equals("r")) {
            throw new PgboxException(ErrorKind.CONFIG, table + " is a plain table, not a partitioned one",
                    "partitions can only be added to a table made with PARTITION BY RANGE (" + spec.column() + ")",
                    "move it to a partitioned table while the app keeps writing: pgbox partition convert " + db + " " + table
                            + " --column " + spec.column() + " --interval " + spec.interval());
        }
        if (!t.relkind().equals("p")) {
            throw new PgboxException(ErrorKind.CONFIG, table + " is not a table", "its relkind is " + t.relkind(),
                    "name a table made with PARTITION BY RANGE (" + spec.column() + ")");
        }
        if (!t.strategy().equals("r") || t.keyColumns() != 1 || !t.keyColumn().equals(spec.column())) {
            throw new PgboxException(ErrorKind.CONFIG, table + " is not partitioned by RANGE (" + spec.column() + ")",
                    "its partition key is " + describeKey(t), "pass --column " + (t.keyColumn().isEmpty() ? "<its key column>"
                            : t.keyColumn()) + ", or recreate the table with PARTITION BY RANGE (" + spec.column() + ")");
        }
        requireColumnType(table, spec, t);
        boolean managed = !t.partmanInterval().isEmpty();
        if (managed) {
            String[] stored = t.partmanInterval().split("\\|", 2);
            String wanted = interval(owner, db, spec.interval());
            if (!stored[0].equals(wanted)) {
                throw new PgboxException(ErrorKind.CONFIG, table + " is already partitioned by pg_partman every " + stored[0],
                        "pg_partman cannot change the interval of an existing partition set",
                        "keep --interval as it is (premake and retention can change), or convert into a new table");
            }
            progress.step("updating premake and retention of " + table);
        } else {
            if (t.partitions() > 0) {
                throw new PgboxException(ErrorKind.CONFIG, table + " already has " + t.partitions() + " partitions not made by pg_partman",
                        "pg_partman makes its own partitions and would overlap the existing ones",
                        "detach them first (ALTER TABLE ... DETACH PARTITION), or manage this table by hand");
            }
            progress.step("creating partitions of " + table + " (" + spec.interval() + ", " + spec.premake() + " ahead)");
            owner.execute(db, PartitionSql.CREATE_PARENT, table.toString(), spec.column(), spec.interval(), spec.premake(), spec.start());
        }
        configure(owner, db, table, spec);
        DefaultJobs.sync(server, name, progress);
        PartitionSet made = list(app).sets().stream().filter(s -> s.table().equals(table.toString())).findFirst().orElseThrow();
        return new Created(db, table.toString(), spec.column(), spec.interval(), spec.premake(), made.retention(), managed,
                made.partitions(), made.oldest(), made.newest());
    }

    /** Every pg_partman partition set of the app, with its partitions, default-partition rows and size. */
    public PartitionList list(String app) {
        AppName name = requireApp(app, "list partitions");
        String db = name.value();
        List<PartitionSet> sets = new ArrayList<>();
        for (List<String> r : server.admin().rows(db, PartitionSql.LIST)) {
            long defaultRows = 0;
            if (!r.get(8).isEmpty()) {
                defaultRows = Long.parseLong(server.admin().value(db, PartitionSql.defaultRows(r.get(8), DEFAULT_ROWS_CAP)));
            }
            sets.add(new PartitionSet(r.get(0), r.get(1), r.get(2), Integer.parseInt(r.get(3)), blankToNull(r.get(4)),
                    Long.parseLong(r.get(5)), blankToNull(r.get(6)), blankToNull(r.get(7)), blankToNull(r.get(8)),
                    Math.min(defaultRows, DEFAULT_ROWS_CAP), defaultRows > DEFAULT_ROWS_CAP, Long.parseLong(r.get(9))));
        }
        return new PartitionList(db, sets);
    }

    /** Moves TABLE's rows into a partitioned copy while the app keeps writing, then swaps the names. */
    public Converter.Converted convert(String app, TableName table, PartitionSpec spec, int batchRows, String lockTimeout,
                                      Progress progress) {
        AppName name = requireApp(app, "convert a table");
        Converter.Converted c = new Converter(ownerSql(name), name.value(), table, spec, batchRows, lockTimeout, progress).run();
        DefaultJobs.sync(server, name, progress);
        return c;
    }

    // ---- shared with Converter

    /** The catalog facts 'create' and 'convert' decide on. */
    record Inspected(String relkind, String strategy, String keyColumn, int keyColumns, long partitions, String columnType,
                     boolean notNull, String partmanInterval) {
    }

    static Inspected inspect(RoleSql sql, String db, TableName table, String column) {
        List<String> r = sql.rows(db, PartitionSql.INSPECT, table.sql(), column, table.toString()).get(0);
        return new Inspected(r.get(0), r.get(1), r.get(2), Integer.parseInt(r.get(3)), Long.parseLong(r.get(4)), r.get(5),
                "t".equals(r.get(6)), r.get(7));
    }

    static void requireColumnType(TableName table, PartitionSpec spec, Inspected t) {
        if (t.columnType().isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "table " + table + " has no column " + spec.column(),
                    "the partition column must exist", "pass --column with a timestamptz, timestamp or date column of the table");
        }
        String why = spec.typeProblem(t.columnType());
        if (why != null) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot partition " + table + " by " + spec.column(), why,
                    "use a timestamptz column such as created_at (integer id ranges: use pg_partman directly)");
        }
        if (!t.notNull()) {
            throw new PgboxException(ErrorKind.CONFIG, "column " + spec.column() + " of " + table + " allows NULL",
                    "a row without a time has no partition; pg_partman requires the control column NOT NULL",
                    "make it NOT NULL safely first: ADD CONSTRAINT ... CHECK (" + spec.column() + " IS NOT NULL) NOT VALID,"
                            + " VALIDATE CONSTRAINT, then SET NOT NULL");
        }
    }

    /** The interval as part_config stores it ('1 mon'), for comparing with what is stored. */
    static String interval(RoleSql sql, String db, String partmanInterval) {
        String text = PartitionSpec.KEYWORDS.getOrDefault(partmanInterval, partmanInterval);
        return sql.value(db, "SELECT $1::interval::text", text);
    }

    static void configure(RoleSql sql, String db, TableName table, PartitionSpec spec) {
        sql.execute(db, PartitionSql.CONFIGURE, spec.premake(), spec.retention(), table.toString());
        // makes partitions up to premake at once and applies retention, as the scheduled job will
        sql.value(db, PartitionSql.MAINTAIN, table.toString());
    }

    private RoleSql ownerSql(AppName app) {
        return new RoleSql(Connections.targetFor(server, app.value()).runningAs(app.ownerRole()));
    }

    private AppName requireApp(String app, String verb) {
        AppName name = new AppName(app);
        server.requireRunning(verb);
        new Apps(server).requirePgboxApp(name);
        return name;
    }

    private static String describeKey(Inspected t) {
        String how = switch (t.strategy()) {
            case "r" -> "RANGE";
            case "l" -> "LIST";
            case "h" -> "HASH";
            default -> t.strategy();
        };
        return how + " (" + t.keyColumn() + (t.keyColumns() > 1 ? ", ..." : "") + ")";
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static String quoted(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }
}
