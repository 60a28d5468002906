package dev.pgbox.schema.audit;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.apps.Connections;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.sql.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * 'pgbox schema audit APP [--fix]' as a service. The audit reads the catalog as the superuser (one
 * query); the fixes run as the app's owner role (the main database's own role for POSTGRES_DB), one
 * statement at a time outside any transaction (CONCURRENTLY cannot run in one), each with the
 * migrations' lock_timeout, so a fix that would queue behind a long transaction gives up instead of
 * stalling the app. A CONCURRENTLY build is checked for indisvalid afterwards; an invalid one is
 * dropped and reported.
 */
public final class SchemaAudit {
    private final Server server;

    public SchemaAudit(Server server) {
        this.server = server;
    }

    /** The findings of {@code app}'s database. */
    public SchemaAuditReport audit(String app, boolean allTables) {
        server.requireRunning("audit a schema");
        String db = database(app);
        CatalogFacts facts = read(db);
        return SchemaAuditReport.of(db, facts.tables().size(), AuditChecks.run(facts, allTables));
    }

    /** Audits, applies every safe fix (each distinct statement once, in a safe order), and audits again. */
    public FixReport fix(String app, boolean allTables) {
        SchemaAuditReport before = audit(app, allTables);
        String db = before.database();
        List<SchemaFinding> todo = order(before.findings());
        List<AppliedFix> applied = new ArrayList<>();
        if (!todo.isEmpty()) {
            Jdbc.Target target = Connections.targetFor(server, db);
            if (!db.equals(server.settings().get(Setting.POSTGRES_DB))) {
                target = target.runningAs(new AppName(db).ownerRole());
            }
            try (Connection c = Jdbc.connect(target)) {
                c.setAutoCommit(true);
                // lock waits are bounded; the build itself is not: the login role's statement_timeout (an app limit
                // of 30s by default) would cancel a CONCURRENTLY build on a big table half way and leave it invalid
                try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, false), "
                        + "set_config('statement_timeout', '0', false)")) {
                    ps.setString(1, server.settings().millis(Setting.PGBOX_MIGRATE_LOCK_TIMEOUT) + "ms");
                    ps.execute();
                }
                for (SchemaFinding f : todo) {
                    applied.add(apply(c, f));
                }
            } catch (SQLException e) {
                throw new PgboxException(ErrorKind.SQL, "the schema fixes as " + target + " failed", Jdbc.sqlCause(e),
                        "check 'pgbox status'; the fixes reported as applied are in place");
            }
        }
        return FixReport.of(db, applied, audit(app, allTables));
    }

    /**
     * The safe fixes in the order they run: invalid indexes dropped first (their names and their write cost go),
     * then the new indexes, triggers and defaults, then duplicates dropped last (the index kept is already there).
     * Two findings with the same fix (a tenant column that is also a foreign key) run it once.
     */
    static List<SchemaFinding> order(List<SchemaFinding> findings) {
        List<SchemaFinding> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int pass = 0; pass < 3; pass++) {
            for (SchemaFinding f : findings) {
                int p = AuditChecks.INVALID_INDEX.equals(f.check()) ? 0 : AuditChecks.DUPLICATE_INDEX.equals(f.check()) ? 2 : 1;
                if (f.safe() && p == pass && seen.add(f.fix())) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    private static AppliedFix apply(Connection c, SchemaFinding f) {
        try (Statement st = c.createStatement()) {
            st.execute(f.fix());
        } catch (SQLException e) {
            String error = Jdbc.sqlCause(e);
            if (f.createsIndex() != null) {
                error += leftover(c, f.createsIndex());
            }
            return new AppliedFix(f.check(), f.table(), f.fix(), AppliedFix.FAILED, error);
        }
        if (f.createsIndex() != null) {
            try {
                if (!valid(c, f.createsIndex())) {
                    return new AppliedFix(f.check(), f.table(), f.fix(), AppliedFix.FAILED, "the index was built but is invalid"
                            + leftover(c, f.createsIndex()));
                }
            } catch (SQLException e) {
                return new AppliedFix(f.check(), f.table(), f.fix(), AppliedFix.FAILED, "cannot check indisvalid: " + Jdbc.sqlCause(e));
            }
        }
        return new AppliedFix(f.check(), f.table(), f.fix(), AppliedFix.APPLIED, null);
    }

    /** True when {@code index} exists and is valid. */
    private static boolean valid(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(?)")) {
            ps.setString(1, index);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** After a failed or invalid CONCURRENTLY build: drops the invalid index it left, and says what became of it. */
    private static String leftover(Connection c, String index) {
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                ps.setString(1, index);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return "; no index was left behind";
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
            }
            return "; the invalid index " + index + " it left was dropped";
        } catch (SQLException e) {
            return "; it left the invalid index " + index + ", which could not be dropped now (" + Jdbc.sqlCause(e)
                    + "): the next 'pgbox schema audit --fix' drops it";
        }
    }

    private CatalogFacts read(String db) {
        return CatalogFacts.parse(db, server.admin().run(db, CatalogFacts.sql() + ";\n").strip());
    }

    /** The database of APP: the main POSTGRES_DB, or a database made by 'pgbox app create'. */
    private String database(String app) {
        if (!app.equals(server.settings().get(Setting.POSTGRES_DB))) {
            new Apps(server).requirePgboxApp(new AppName(app));
        }
        return app;
    }
}
