package dev.pgbox.schema.lint;

import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Size;
import dev.pgbox.schema.ParsedSql;
import dev.pgbox.schema.SqlParser;
import dev.pgbox.schema.SqlStatement;
import dev.pgbox.schema.SqlSyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The migration linter. Parses each script with PostgreSQL's own parser ({@link SqlParser}) and
 * applies every rule ({@link LintRule}) to the parse trees, in order, remembering the tables the
 * scripts create (a new table needs no care). With a live server it also knows each touched table's
 * size and row estimate (a small one turns lock rules into warnings, a big one names its size) and
 * the locks other sessions hold on it right now. Offline, every existing table counts as big.
 */
public final class Linter {
    private final Server server;
    private final String database;
    private final boolean runnerSetsTimeouts;

    private Linter(Server server, String database, boolean runnerSetsTimeouts) {
        this.server = server;
        this.database = database;
        this.runnerSetsTimeouts = runnerSetsTimeouts;
    }

    /** Rules only, from the SQL text. */
    public static Linter offline() {
        return new Linter(null, null, false);
    }

    /** Rules plus what {@code database} on the running server says (table sizes, live locks). */
    public static Linter live(Server server, String database) {
        return new Linter(server, database, false);
    }

    /**
     * The same linter for scripts a runner executes with lock_timeout and statement_timeout already set
     * ('pgbox migrate up' does): require-timeout-settings is then satisfied.
     */
    public Linter runnerSetsTimeouts() {
        return new Linter(server, database, true);
    }

    /** Lints the scripts in order, as one set: a table created in an earlier script is new in a later one. */
    public LintReport lint(List<SqlSource> sources) {
        List<ParsedSql> parsed = new ArrayList<>();
        List<LintFinding> findings = new ArrayList<>();
        for (SqlSource src : sources) {
            try {
                parsed.add(SqlParser.parse(src.name(), src.sql()));
            } catch (SqlSyntaxException e) {
                parsed.add(null);
                String line = e.line() > 0 ? src.sql().lines().skip(e.line() - 1L).findFirst().orElse("").strip() : "";
                findings.add(new LintFinding(LintRule.SYNTAX_ERROR.id(), "error", src.name(), e.line(), e.column(),
                        line.length() > 80 ? line.substring(0, 80) + " ..." : line,
                        e.reason() + " (the rest of this script is not linted)", "fix the SQL at line " + e.line() + ", column " + e.column(),
                        false, null));
            }
        }
        Map<String, LiveTables.Facts> facts = server == null ? Map.of() : LiveTables.read(server.admin(), database, touched(parsed),
                server.settings().millis(Setting.PGBOX_LINT_LONG_TRANSACTION));
        long small = server == null ? 0 : server.settings().bytes(Setting.PGBOX_LINT_SMALL_TABLE);
        ScriptState state = new ScriptState();
        Rules rules = new Rules(state, runnerSetsTimeouts);
        int statements = 0;
        for (ParsedSql p : parsed) {
            if (p == null) {
                continue;
            }
            state.startScript();
            Map<String, String> fileAccepts = Map.of();
            for (SqlStatement s : p.statements()) {
                statements++;
                Accepts accepts = Accepts.read(s.comments(), s.index() == 0);
                if (s.index() == 0) {
                    fileAccepts = accepts.file;
                }
                List<Hit> hits = new ArrayList<>(accepts.problems);
                hits.addAll(rules.apply(s));
                if (server != null) {
                    hits.addAll(liveConflicts(s, state, facts));
                }
                for (Hit h : hits) {
                    findings.add(finding(p.source(), s, h, facts, small, accepts.statement, fileAccepts));
                }
            }
            if (state.depth > 0) {
                SqlStatement begin = p.statements().get(Math.max(0, state.lastBegin));
                findings.add(finding(p.source(), begin, new Hit(LintRule.BAN_UNCOMMITTED_TRANSACTION, null,
                        "this BEGIN has no COMMIT by the end of the script: its changes are rolled back when the session ends, or held"
                                + " (with their locks) until it does", "add COMMIT; at the end of the script"), facts, small, Map.of(), fileAccepts));
            }
        }
        return new LintReport(sources.size(), statements, List.copyOf(findings));
    }

    /** Every table a statement of the scripts locks: what the one live query asks about. */
    private static Set<TableRef> touched(List<ParsedSql> parsed) {
        Set<TableRef> out = new LinkedHashSet<>();
        for (ParsedSql p : parsed) {
            if (p != null) {
                p.statements().forEach(s -> Locks.of(s).forEach(l -> out.add(l.table())));
            }
        }
        return out;
    }

    /** A statement whose lock conflicts with one another session holds (or waits for) on an existing table would queue. */
    private static List<Hit> liveConflicts(SqlStatement s, ScriptState state, Map<String, LiveTables.Facts> facts) {
        List<Hit> out = new ArrayList<>();
        for (TableLock l : Locks.of(s)) {
            LiveTables.Facts f = facts.get(l.table().key());
            if (f == null || state.isNew(l.table())) {
                continue;
            }
            if (l.mode() == LockMode.SHARE_UPDATE_EXCLUSIVE && !f.longTransactions().isEmpty() && concurrently(s)) {
                String who = f.longTransactions().stream().map(x -> "pid " + x.pid() + " (" + (x.state().isEmpty() ? "" : x.state() + ", ")
                        + "open " + x.seconds() + " s)").collect(Collectors.joining("; "));
                out.add(new Hit(LintRule.LIVE_LONG_TRANSACTION, null, "right now long transactions are open in this database: " + who
                        + "; a CONCURRENTLY build waits for transactions that hold locks on " + l.table().shown() + " or an older snapshot"
                        + " before it finishes, holding its SHARE UPDATE EXCLUSIVE lock (other DDL and VACUUM on the table wait) meanwhile",
                        "run it when they have ended (pg_stat_activity shows them), or end them: SELECT pg_terminate_backend(pid)"));
            }
            List<LiveTables.HeldLock> blocking = f.locks().stream().filter(h -> l.mode().conflictsWith(h.mode())).toList();
            if (blocking.isEmpty()) {
                continue;
            }
            String who = blocking.stream().map(h -> "pid " + h.pid() + " " + (h.granted() ? "holds " : "waits for ") + h.mode().sql()
                    + " (" + (h.state().isEmpty() ? "" : h.state() + ", ") + "transaction open " + h.transactionSeconds() + " s)")
                    .distinct().collect(Collectors.joining("; "));
            String pids = blocking.stream().map(h -> Integer.toString(h.pid())).distinct().collect(Collectors.joining(", "));
            out.add(new Hit(LintRule.LIVE_LOCK_CONFLICT, null, "right now the " + l.mode().sql() + " lock this statement takes on " + l.table().shown()
                    + " would queue behind other sessions: " + who + "; while it waits, every new query on the table waits behind it",
                    "wait until they finish (pg_stat_activity shows them), or end them: SELECT pg_terminate_backend(pid) FROM"
                            + " unnest(ARRAY[" + pids + "]) pid; and keep lock_timeout set so a wait fails fast instead of blocking"));
        }
        return out;
    }

    private static boolean concurrently(SqlStatement s) {
        return switch (s.kind()) {
            case "IndexStmt" -> s.node().path("concurrent").asBoolean(false);
            case "ReindexStmt" -> Trees.hasOption(s.node().path("params"), "concurrently");
            case "AlterTableStmt" -> {
                boolean detach = false;
                for (com.fasterxml.jackson.databind.JsonNode c : s.node().path("cmds")) {
                    com.fasterxml.jackson.databind.JsonNode cmd = c.path("AlterTableCmd");
                    detach |= cmd.path("subtype").asText().equals("AT_DetachPartition")
                            && cmd.path("def").path("PartitionCmd").path("concurrent").asBoolean(false);
                }
                yield detach;
            }
            default -> false;
        };
    }

    private static LintFinding finding(String source, SqlStatement s, Hit h, Map<String, LiveTables.Facts> facts, long small,
            Map<String, String> accepts, Map<String, String> fileAccepts) {
        String severity = h.rule().severity();
        String message = h.message();
        LiveTables.Facts f = h.table() == null ? null : facts.get(h.table().key());
        if (f != null && h.rule().sizeSensitive()) {
            String size = Size.human(f.bytes()) + ", " + (f.rows() < 0 ? "row estimate unknown (never analyzed)" : "~" + String.format("%,d", f.rows()) + " rows");
            if (f.bytes() < small) {
                severity = "warning";
                message += " — on the server " + h.table().shown() + " is small (" + size + ", below PGBOX_LINT_SMALL_TABLE "
                        + Size.human(small) + "), so the lock is brief";
            } else {
                severity = "error";
                message += " — on the server " + h.table().shown() + " is " + size;
            }
        }
        String reason = accepts.containsKey(h.rule().id()) ? accepts.get(h.rule().id()) : fileAccepts.get(h.rule().id());
        boolean acceptable = h.rule() != LintRule.ACCEPT_WITHOUT_REASON && h.rule() != LintRule.SYNTAX_ERROR;
        boolean accepted = acceptable && reason != null;
        return new LintFinding(h.rule().id(), severity, source, s.line(), s.column(), s.shortText(80), message, h.fix(), accepted,
                accepted ? reason : null);
    }
}
