package dev.pgbox.cli;

import dev.pgbox.Json;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Size;
import dev.pgbox.report.Activity;
import dev.pgbox.report.Bloat;
import dev.pgbox.report.Cache;
import dev.pgbox.report.Locks;
import dev.pgbox.report.MissingFkIndexes;
import dev.pgbox.report.Reports;
import dev.pgbox.report.SlowQueries;
import dev.pgbox.report.TableSizes;
import dev.pgbox.report.UnusedIndexes;
import dev.pgbox.report.Vacuum;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Read-only reports on the running server.",
                "Each report takes --app NAME, --limit N (default 20) and --json. Reports on",
                "one database's objects (unused-indexes, missing-fk-indexes, table-sizes,",
                "bloat, vacuum, the tables of cache) read the app's database, by default the",
                "main POSTGRES_DB. Server-wide views (slow-queries, locks, activity, the",
                "databases of cache) cover every database unless --app names one."},
        subcommands = {ReportCommand.SlowQueriesCommand.class, ReportCommand.UnusedIndexesCommand.class,
                ReportCommand.MissingFkIndexesCommand.class, ReportCommand.TableSizesCommand.class, ReportCommand.BloatCommand.class,
                ReportCommand.LocksCommand.class, ReportCommand.ActivityCommand.class, ReportCommand.CacheCommand.class,
                ReportCommand.VacuumCommand.class})
final class ReportCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** The options every report shares. */
    static final class Options {
        @Option(names = "--app", paramLabel = "NAME", description = "The app's database (default: see 'pgbox report --help').")
        String app;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N rows (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;
    }

    /** Parses, calls the report service, prints its model as JSON or as text. */
    abstract static class One<M> extends BaseCommand implements Callable<Integer> {
        @Mixin
        Options options;

        abstract BiFunction<String, Integer, M> report(Reports reports);

        abstract String text(M model);

        @Override
        public Integer call() {
            var s = settings();
            String app = options.app == null ? null : AppArgument.check(s, options.app);
            M model = report(new Reports(Server.open(s))).apply(app, options.limit);
            out().println(options.json ? Json.render(model) : text(model));
            return 0;
        }
    }

    static String bytes(long b) {
        return Size.human(b);
    }

    static String or(Object v, String absent) {
        return v == null ? absent : v.toString();
    }

    static String seconds(Long s) {
        if (s == null) {
            return "";
        }
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172800 ? s / 3600 + "h" : s / 86400 + "d";
    }

    static String clip(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    static <T> String table(List<String> columns, List<T> rows, Function<T, List<String>> row) {
        return Tables.aligned(columns, rows.stream().map(row).toList());
    }

    @Command(name = "slow-queries", mixinStandardHelpOptions = true,
            description = {"Statements from pg_stat_statements, most total time first.",
                    "Calls, total, mean and standard deviation in ms, rows, the normalized",
                    "query. Without --app: every database. Statements of the superuser",
                    "postgres (pgbox's own administration and the agent's checks) are left out",
                    "unless --superuser."})
    static final class SlowQueriesCommand extends One<SlowQueries> {
        @Option(names = "--superuser", description = "Include the superuser's statements (pgbox's own).")
        boolean superuser;

        @Override
        BiFunction<String, Integer, SlowQueries> report(Reports r) {
            return (app, limit) -> r.slowQueries(app, limit, superuser);
        }

        @Override
        String text(SlowQueries m) {
            StringBuilder sb = new StringBuilder();
            if (!m.queries().isEmpty()) {
                sb.append(table(List.of("database", "calls", "total ms", "mean ms", "stddev ms", "rows", "query"), m.queries(),
                        q -> List.of(or(q.database(), ""), Long.toString(q.calls()), fmt(q.totalMs()), fmt(q.meanMs()),
                                fmt(q.stddevMs()), Long.toString(q.rows()), clip(q.query(), 100))));
                sb.append('\n').append("statistics since ").append(or(m.statsReset(), "the server's first start"));
            }
            if (m.note() != null) {
                sb.append(sb.length() > 0 ? "\n" : "").append(m.note());
            }
            return sb.toString();
        }

        private static String fmt(double ms) {
            return String.format(java.util.Locale.ROOT, "%.2f", ms);
        }
    }

    @Command(name = "unused-indexes", mixinStandardHelpOptions = true,
            description = {"Indexes never scanned, largest first, each with its DROP.",
                    "Counts scans since the statistics were reset (shown). Leaves out indexes",
                    "behind a primary key, unique or other constraint, and extensions' tables.",
                    "Check replicas too before dropping: their scans are not counted here."})
    static final class UnusedIndexesCommand extends One<UnusedIndexes> {
        @Override
        BiFunction<String, Integer, UnusedIndexes> report(Reports r) {
            return r::unusedIndexes;
        }

        @Override
        String text(UnusedIndexes m) {
            String since = "no scans since " + or(m.statsSince(), "the database was created (statistics never reset)");
            if (m.indexes().isEmpty()) {
                return "no unused index in " + m.database() + " (" + since + ")";
            }
            return table(List.of("table", "index", "size", "fix"), m.indexes(),
                    i -> List.of(i.schema() + "." + i.table(), i.index(), bytes(i.sizeBytes()), i.fix()))
                    + "\n" + since + "; " + bytes(m.totalBytes()) + " in total";
        }
    }

    @Command(name = "missing-fk-indexes", mixinStandardHelpOptions = true,
            description = {"Foreign keys without a supporting index, with the fix.",
                    "A foreign key whose columns lead no valid index of the referencing table",
                    "(compared by column numbers): deleting or changing a referenced row then",
                    "scans that whole table. Each with its CREATE INDEX CONCURRENTLY."})
    static final class MissingFkIndexesCommand extends One<MissingFkIndexes> {
        @Override
        BiFunction<String, Integer, MissingFkIndexes> report(Reports r) {
            return r::missingFkIndexes;
        }

        @Override
        String text(MissingFkIndexes m) {
            if (m.foreignKeys().isEmpty()) {
                return "every foreign key in " + m.database() + " has a supporting index";
            }
            return table(List.of("table", "foreign key", "columns", "references", "table size", "fix"), m.foreignKeys(),
                    f -> List.of(f.table(), f.constraint(), f.columns(), f.references(), bytes(f.tableBytes()), f.fix()));
        }
    }

    @Command(name = "table-sizes", mixinStandardHelpOptions = true,
            description = {"Tables by size: data, indexes, TOAST, total, rows.",
                    "Tables and materialized views, largest first: data (heap with its maps),",
                    "indexes, TOAST (large values stored out of line), total and the",
                    "planner's row estimate."})
    static final class TableSizesCommand extends One<TableSizes> {
        @Override
        BiFunction<String, Integer, TableSizes> report(Reports r) {
            return r::tableSizes;
        }

        @Override
        String text(TableSizes m) {
            return table(List.of("table", "data", "indexes", "toast", "total", "rows (est.)"), m.tables(),
                    t -> List.of(t.schema() + "." + t.table(), bytes(t.dataBytes()), bytes(t.indexBytes()), bytes(t.toastBytes()),
                            bytes(t.totalBytes()), or(t.rowsEstimate(), "?")))
                    + "\ndatabase " + m.database() + ": " + bytes(m.totalBytes());
        }
    }

    @Command(name = "bloat", mixinStandardHelpOptions = true,
            description = {"Estimated wasted space per table, beside its dead tuples.",
                    "Bloat = size on disk minus what the live rows need, where the need is rows",
                    "(pg_class.reltuples) x average row width (sum of pg_stats.avg_width +",
                    "24-byte tuple header + 4-byte line pointer) at the table's fillfactor in",
                    "8 kB pages. An estimate from ANALYZE statistics (tables never analyzed",
                    "have none); indexes are not estimated. VACUUM FULL or pg_repack gives",
                    "bloat back; plain VACUUM makes dead tuples' space reusable."})
    static final class BloatCommand extends One<Bloat> {
        @Override
        BiFunction<String, Integer, Bloat> report(Reports r) {
            return r::bloat;
        }

        @Override
        String text(Bloat m) {
            return table(List.of("table", "size", "expected", "bloat", "bloat %", "live", "dead", "analyzed"), m.tables(),
                    t -> List.of(t.schema() + "." + t.table(), bytes(t.sizeBytes()),
                            t.expectedBytes() == null ? "?" : bytes(t.expectedBytes()),
                            t.bloatBytes() == null ? "?" : bytes(t.bloatBytes()), or(t.bloatPercent(), "?"),
                            Long.toString(t.liveTuples()), Long.toString(t.deadTuples()), or(t.lastAnalyze(), "never")))
                    + "\n" + m.method();
        }
    }

    @Command(name = "locks", mixinStandardHelpOptions = true,
            description = {"Locks held and waited for, with the blocking pids.",
                    "From pg_locks, waiting first, each with the pids blocking it",
                    "(pg_blocking_pids), the session's state, age and query. Without --app:",
                    "every database."})
    static final class LocksCommand extends One<Locks> {
        @Override
        BiFunction<String, Integer, Locks> report(Reports r) {
            return r::locks;
        }

        @Override
        String text(Locks m) {
            if (m.locks().isEmpty()) {
                return "no locks held by other sessions";
            }
            return table(List.of("pid", "database", "mode", "granted", "target", "blocked by", "state", "age", "query"), m.locks(),
                    l -> List.of(Integer.toString(l.pid()), or(l.database(), ""), l.mode(), l.granted() ? "yes" : "WAITING",
                            l.target(), String.join(",", l.blockedBy().stream().map(String::valueOf).toList()), or(l.state(), ""),
                            seconds(l.ageSeconds()), clip(l.query(), 60)))
                    + "\n" + m.waiting() + " waiting";
        }
    }

    @Command(name = "activity", mixinStandardHelpOptions = true,
            description = {"Client sessions, oldest transaction first.",
                    "From pg_stat_activity: pid, database, user, state, wait event, transaction",
                    "and query age, query. Without --app: every database."})
    static final class ActivityCommand extends One<Activity> {
        @Override
        BiFunction<String, Integer, Activity> report(Reports r) {
            return r::activity;
        }

        @Override
        String text(Activity m) {
            return table(List.of("pid", "database", "user", "state", "wait", "xact age", "query age", "query"), m.sessions(),
                    a -> List.of(Integer.toString(a.pid()), or(a.database(), ""), or(a.user(), ""), or(a.state(), ""),
                            a.waitEvent() == null ? "" : a.waitEventType() + ":" + a.waitEvent(), seconds(a.xactAgeSeconds()),
                            seconds(a.queryAgeSeconds()), clip(a.query(), 80)))
                    + "\n" + m.sessionsTotal() + " client session(s)";
        }
    }

    @Command(name = "cache", mixinStandardHelpOptions = true,
            description = {"Buffer cache hit ratio per database and per table.",
                    "Per database from pg_stat_database (every database without --app), per",
                    "table of the app's database from pg_statio_user_tables (heap and",
                    "indexes), most disk reads first."})
    static final class CacheCommand extends One<Cache> {
        @Override
        BiFunction<String, Integer, Cache> report(Reports r) {
            return r::cache;
        }

        @Override
        String text(Cache m) {
            return table(List.of("database", "hit %", "blocks hit", "blocks read"), m.databases(),
                    d -> List.of(d.database(), or(d.hitPercent(), "-"), Long.toString(d.blocksHit()), Long.toString(d.blocksRead())))
                    + "\n\ntables of " + m.database() + ":\n"
                    + table(List.of("table", "heap hit %", "heap read", "index hit %", "index read"), m.tables(),
                    t -> List.of(t.schema() + "." + t.table(), or(t.heapHitPercent(), "-"), Long.toString(t.heapRead()),
                            or(t.indexHitPercent(), "-"), Long.toString(t.indexRead())));
        }
    }

    @Command(name = "vacuum", mixinStandardHelpOptions = true,
            description = {"Dead tuples, last (auto)vacuum and xid age per table.",
                    "Per table: live and dead tuples, dead %%, last vacuum/autovacuum and",
                    "analyze/autoanalyze, whether autovacuum may run on it (autovacuum_enabled)",
                    "and its transaction id age, most dead tuples first."})
    static final class VacuumCommand extends One<Vacuum> {
        @Override
        BiFunction<String, Integer, Vacuum> report(Reports r) {
            return r::vacuum;
        }

        @Override
        String text(Vacuum m) {
            return table(List.of("table", "live", "dead", "dead %", "last vacuum", "last autovacuum", "last analyze", "autovacuum",
                    "xid age"), m.tables(),
                    t -> List.of(t.schema() + "." + t.table(), Long.toString(t.liveTuples()), Long.toString(t.deadTuples()),
                            or(t.deadPercent(), "-"), or(t.lastVacuum(), "never"), or(t.lastAutovacuum(), "never"),
                            or(latest(t.lastAnalyze(), t.lastAutoanalyze()), "never"), t.autovacuumEnabled() ? "on" : "OFF",
                            Long.toString(t.xidAge())))
                    + "\ndatabase " + m.database() + ": xid age " + m.databaseXidAge() + " of 2147483648; autovacuum "
                    + (m.autovacuum() ? "on" : "OFF (server-wide)");
        }

        private static String latest(String a, String b) {
            if (a == null) {
                return b;
            }
            return b == null || a.compareTo(b) > 0 ? a : b;
        }
    }
}
