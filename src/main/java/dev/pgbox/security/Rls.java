package dev.pgbox.security;

import static dev.pgbox.sql.SqlText.ident;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.sql.RoleSql;
import dev.pgbox.sql.SqlText;
import com.fasterxml.jackson.annotation.JsonValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Row-level security for multi-tenant tables: one policy per table comparing the tenant column with
 * {@code current_setting('app.tenant_id', true)}, ENABLE and FORCE (so the owner is bound too), and an
 * index on the tenant column. {@link #test} proves the isolation as the real app role; {@link #audit}
 * finds tables that are not protected.
 */
public final class Rls {
    public static final String POLICY = "pgbox_tenant_isolation";
    public static final String SETTING = "app.tenant_id";
    private static final String COMMENT_PREFIX = "pgbox tenant column: ";
    private static final Pattern TABLE = Pattern.compile("(?:([a-z_][a-z0-9_]*)\\.)?([a-z_][a-z0-9_]*)");

    private Rls() {
    }

    /** A table name as the user wrote it: optional schema (default public) and table. */
    public record TableName(String schema, String table) {
        public static TableName parse(String text) {
            Matcher m = TABLE.matcher(text == null ? "" : text);
            String why = !m.matches() ? "table names are lowercase letters, digits and _, optionally schema-qualified"
                    : m.group(1) != null && SqlText.nameProblem(m.group(1)) != null ? "the schema name: " + SqlText.nameProblem(m.group(1))
                    : SqlText.nameProblem(m.group(2)) != null ? "the table name: " + SqlText.nameProblem(m.group(2)) : null;
            if (why != null) {
                throw new PgboxException(ErrorKind.USAGE, "invalid table name " + SqlText.shown(text), why,
                        "e.g. documents or public.documents");
            }
            return new TableName(m.group(1) == null ? "public" : m.group(1), m.group(2));
        }

        public String sql() {
            return ident(schema) + "." + ident(table);
        }

        @Override
        public String toString() {
            return schema + "." + table;
        }
    }

    /** A SQL script with its {@code $n} parameters, for the admin door to quote. */
    public record Script(String sql, List<Object> params) {
    }

    /**
     * SQL that enables tenant isolation on one table; {@code type} is the column's SQL type (from
     * format_type). Identifiers are quoted here; values are {@code $n} parameters.
     */
    public static Script enableSql(TableName t, String column, String type) {
        String col = ident(column);
        String check = col + " = NULLIF(current_setting($1, true), '')::" + type;
        String sql = "ALTER TABLE " + t.sql() + " ENABLE ROW LEVEL SECURITY;\n"
                + "ALTER TABLE " + t.sql() + " FORCE ROW LEVEL SECURITY;\n"
                + "DROP POLICY IF EXISTS " + POLICY + " ON " + t.sql() + ";\n"
                + "CREATE POLICY " + POLICY + " ON " + t.sql() + " USING (" + check + ") WITH CHECK (" + check + ");\n"
                + "COMMENT ON POLICY " + POLICY + " ON " + t.sql() + " IS $2;\n"
                + "SELECT format('CREATE INDEX %I ON %I.%I (%I)', $3, $4, $5, $6)"
                + " WHERE NOT EXISTS (SELECT FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + " WHERE i.indrelid = $7::regclass AND a.attname = $6)\\gexec\n";
        return new Script(sql, List.of(SETTING, COMMENT_PREFIX + column, indexName(t.table(), column), t.schema(), t.table(), column,
                t.sql()));
    }

    /**
     * Returns {@code column} when it is a plain lowercase column name, else throws a usage error. Every
     * command that takes --tenant-column calls this before any SQL.
     */
    public static String requireColumn(String column) {
        return SqlText.requireName("--tenant-column", column, "tenant_id");
    }

    static String indexName(String table, String column) {
        String name = table + "_" + column + "_idx";
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /** Enables isolation; returns the column's type. Fails clearly when the table or column is missing. */
    public static String enable(AdminSql sql, String database, TableName t, String column) {
        requireColumn(column);
        String exists = sql.value(database, "SELECT to_regclass($1) IS NOT NULL", t.sql());
        if (!"t".equals(exists)) {
            throw new PgboxException(ErrorKind.CONFIG, "no table " + t + " in database " + database,
                    "to_regclass found nothing of that name", "check the name with: pgbox db query \"\\\\dt\"");
        }
        String type = sql.value(database, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::regclass"
                + " AND attname = $2 AND NOT attisdropped AND attnum > 0", t.sql(), column);
        if (type.isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "table " + t + " has no column " + column,
                    "the tenant column must exist before row-level security can use it",
                    "add it (ALTER TABLE ... ADD COLUMN " + column + " ...) or pass --tenant-column");
        }
        Script script = enableSql(t, column, type);
        sql.execute(database, script.sql(), script.params().toArray());
        return type;
    }

    /** One RLS-protected table and its tenant column (null when pgbox cannot tell which it is). */
    public record Protected(TableName table, String column, String type) {
    }

    /** Tables with row-level security enabled, with their tenant columns and types, in one query. */
    public static List<Protected> protectedTables(AdminSql sql, String database, String defaultColumn) {
        requireColumn(defaultColumn);
        List<Protected> out = new ArrayList<>();
        for (List<String> r : sql.rows(database, """
                WITH t AS (
                  SELECT c.oid, n.nspname, c.relname,
                         coalesce((SELECT substring(obj_description(p.oid, 'pg_policy') FROM $1) FROM pg_policy p
                                   WHERE p.polrelid = c.oid AND p.polname = $2), $3) AS col
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND n.nspname NOT IN ('pg_catalog', 'information_schema'))
                SELECT t.nspname, t.relname, t.col, coalesce(format_type(a.atttypid, a.atttypmod), '')
                FROM t LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = t.col AND NOT a.attisdropped AND a.attnum > 0
                ORDER BY 1, 2
                """, COMMENT_PREFIX + "(.*)", POLICY, defaultColumn)) {
            boolean known = !r.get(3).isEmpty();
            out.add(new Protected(new TableName(r.get(0), r.get(1)), known ? r.get(2) : null, known ? r.get(3) : null));
        }
        return out;
    }

    /** Up to two distinct tenant values per table, read by the superuser (who bypasses RLS), in one query. */
    static java.util.Map<String, List<String>> tenantSamples(AdminSql sql, String database, List<Protected> tables) {
        List<String> parts = new ArrayList<>();
        List<Object> names = new ArrayList<>();
        for (Protected p : tables) {
            if (p.column() != null) {
                String col = ident(p.column());
                names.add(p.table().toString());
                parts.add("(SELECT $" + names.size() + "::text, v FROM (SELECT DISTINCT " + col + "::text AS v FROM "
                        + p.table().sql() + " WHERE " + col + " IS NOT NULL LIMIT 2) x)");
            }
        }
        java.util.Map<String, List<String>> samples = new java.util.HashMap<>();
        if (!parts.isEmpty()) {
            for (List<String> r : sql.rows(database, String.join(" UNION ALL ", parts), names.toArray())) {
                samples.computeIfAbsent(r.get(0), k -> new ArrayList<>()).add(r.get(1));
            }
        }
        return samples;
    }

    /** The outcome of one isolation check: pass, fail, or skip (could not be tested, with why). */
    public enum Outcome {
        PASS, FAIL, SKIP;

        /** Lowercase, as the report prints it (and its JSON). */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One row of 'pgbox rls test': whether a tenant could read, update, delete or insert another
     * tenant's rows of {@code table}.
     */
    public record TestResult(String table, String tenantColumn, Outcome readOther, Outcome updateOther, Outcome deleteOther,
                             Outcome insertOther, String note) {
        public boolean failed() {
            return readOther == Outcome.FAIL || updateOther == Outcome.FAIL || deleteOther == Outcome.FAIL || insertOther == Outcome.FAIL;
        }
    }

    /** The model of 'pgbox rls test': passes when no tenant reached another's rows. */
    public record TestReport(boolean passed, List<TestResult> tables) {
        public static TestReport of(List<TestResult> tables) {
            return new TestReport(tables.stream().noneMatch(TestResult::failed), List.copyOf(tables));
        }
    }

    /** What 'pgbox rls enable' did: isolation on {@code table} of {@code database} by {@code column} of SQL type {@code type}. */
    public record Enabled(String database, String table, String column, String type) {
    }

    /**
     * As the app role, with {@code app.tenant_id} set to one tenant (SET LOCAL), tries to read, update,
     * delete and insert another tenant's rows. Everything runs in one transaction that is rolled back,
     * so even a broken policy changes nothing. Tenant values come from the data (read by the superuser)
     * or, for tables with fewer than two tenants, from rows the test inserts inside that transaction.
     */
    public static List<TestResult> test(AdminSql sql, String database, RoleSql appRole, String defaultColumn) {
        requireColumn(defaultColumn);
        List<Protected> tables = protectedTables(sql, database, defaultColumn);
        java.util.Map<String, List<String>> samples = tenantSamples(sql, database, tables);
        return appRole.transaction(c -> {
            List<TestResult> results = new ArrayList<>();
            for (Protected p : tables) {
                if (p.column() == null) {
                    results.add(new TestResult(p.table().toString(), "?", Outcome.SKIP, Outcome.SKIP, Outcome.SKIP, Outcome.SKIP,
                            "no pgbox policy and no " + defaultColumn + " column: pass --tenant-column"));
                    continue;
                }
                List<String> tenants = samples.getOrDefault(p.table().toString(), List.of());
                try {
                    results.add(testTable(c, p, tenants));
                } finally {
                    c.rollback();
                }
            }
            return results;
        }, "the RLS test as " + appRole.target());
    }

    private static TestResult testTable(Connection c, Protected p, List<String> existing) throws SQLException {
        String t = p.table().sql();
        String col = ident(p.column());
        String mine;
        String other;
        String note = "";
        if (existing.size() >= 2) {
            mine = existing.get(0);
            other = existing.get(1);
        } else {
            Optional<String[]> made = syntheticTenants(c, p);
            if (made.isEmpty()) {
                return new TestResult(p.table().toString(), p.column(), Outcome.SKIP, Outcome.SKIP, Outcome.SKIP, Outcome.SKIP,
                        "needs rows of two tenants (or defaults for every other column)");
            }
            mine = made.get()[0];
            other = made.get()[1];
            note = "used two test rows, rolled back";
        }
        setTenant(c, mine);
        long seenMine = count(c, "SELECT count(*) FROM " + t + " WHERE " + col + "::text = ?", mine);
        Outcome read = count(c, "SELECT count(*) FROM " + t + " WHERE " + col + "::text = ?", other) == 0 ? Outcome.PASS : Outcome.FAIL;
        Outcome update = updated(c, "UPDATE " + t + " SET " + col + " = " + col + " WHERE " + col + "::text = ?", other) == 0
                ? Outcome.PASS : Outcome.FAIL;
        Outcome delete = updated(c, "DELETE FROM " + t + " WHERE " + col + "::text = ?", other) == 0 ? Outcome.PASS : Outcome.FAIL;
        Outcome insert = insertRejected(c, p, other);
        if (seenMine == 0 && read == Outcome.PASS) {
            note = (note.isEmpty() ? "" : note + "; ") + "the app role sees no rows of its own tenant either: check the policy";
        }
        return new TestResult(p.table().toString(), p.column(), read, update, delete, insert, note);
    }

    /** Inserts one row for each of two made-up tenants (inside the test's transaction); empty if the table refuses. */
    private static Optional<String[]> syntheticTenants(Connection c, Protected p) throws SQLException {
        String[] values = sampleValues(p.type());
        if (values == null) {
            return Optional.empty();
        }
        for (String v : values) {
            setTenant(c, v);
            Savepoint sp = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + p.table().sql() + " (" + ident(p.column()) + ") VALUES (?::"
                    + p.type() + ")")) {
                ps.setString(1, v);
                ps.executeUpdate();
            } catch (SQLException e) {
                c.rollback(sp);
                return Optional.empty();
            }
        }
        return Optional.of(values);
    }

    static String[] sampleValues(String type) {
        if (type == null) {
            return null;
        }
        if (type.equals("uuid")) {
            return new String[] {"00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"};
        }
        if (type.equals("integer") || type.equals("bigint") || type.equals("smallint") || type.startsWith("numeric")) {
            return new String[] {"32001", "32002"};
        }
        if (type.equals("text") || type.startsWith("character")) {
            return new String[] {"pgbox-rls-a", "pgbox-rls-b"};
        }
        return null;
    }

    private static Outcome insertRejected(Connection c, Protected p, String other) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + p.table().sql() + " (" + ident(p.column()) + ") VALUES (?::"
                + p.type() + ")")) {
            ps.setString(1, other);
            ps.executeUpdate();
            c.rollback(sp);
            return Outcome.FAIL; // a row for another tenant went in
        } catch (SQLException e) {
            c.rollback(sp);
            // 42501: new row violates row-level security policy; anything else (NOT NULL...) proves nothing
            return "42501".equals(e.getSQLState()) ? Outcome.PASS : Outcome.SKIP;
        }
    }

    private static void setTenant(Connection c, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('" + SETTING + "', ?, true)")) {
            ps.setString(1, value);
            ps.execute();
        }
    }

    private static long count(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int updated(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            return ps.executeUpdate();
        }
    }

    /**
     * Tables with a tenant column but no RLS (high), RLS without FORCE (medium), tenant columns without
     * an index (low), and tables owned by the app's login role, which bypasses its own policies (high).
     */
    public static List<Finding> audit(AdminSql sql, String database, String tenantColumn, String loginRole) {
        requireColumn(tenantColumn);
        List<Finding> out = new ArrayList<>();
        for (List<String> r : sql.rows(database, """
                SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
                       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = $1 AND NOT a.attisdropped),
                       EXISTS (SELECT FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                               WHERE i.indrelid = c.oid AND a.attname = $1),
                       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'partman', 'cron')
                  AND NOT c.relispartition
                ORDER BY 1
                """, tenantColumn)) {
            String table = r.get(0);
            boolean rls = "t".equals(r.get(1));
            boolean force = "t".equals(r.get(2));
            String owner = r.get(3);
            boolean hasTenant = "t".equals(r.get(4));
            boolean indexed = "t".equals(r.get(5));
            int policies = Integer.parseInt(r.get(6));
            if (hasTenant && !rls) {
                out.add(new Finding(Finding.Severity.HIGH, "rls-missing", table, "has a " + tenantColumn + " column but no row-level security",
                        "pgbox rls enable " + database + " " + table + " --tenant-column " + tenantColumn));
            }
            if (rls && !force) {
                out.add(new Finding(Finding.Severity.MEDIUM, "rls-not-forced", table, "row-level security is not FORCEd: its owner "
                        + owner + " bypasses the policies", "ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY"));
            }
            if (rls && policies == 0) {
                out.add(new Finding(Finding.Severity.INFO, "rls-no-policy", table, "row-level security is on but there is no policy: every row is hidden",
                        "pgbox rls enable " + database + " " + table + " --tenant-column " + tenantColumn));
            }
            if (rls && hasTenant && !indexed) {
                out.add(new Finding(Finding.Severity.LOW, "rls-unindexed", table, "the policy's column " + tenantColumn + " has no index: "
                        + "every query scans the table", "CREATE INDEX ON " + table + " (" + tenantColumn + ")"));
            }
            if (owner.equals(loginRole)) {
                out.add(new Finding(Finding.Severity.HIGH, "app-owns-table", table, "owned by the app's login role " + loginRole
                        + ", which bypasses its own row-level security and can drop the table",
                        "ALTER TABLE " + table + " OWNER TO " + loginRole + "_owner"));
            }
        }
        return out;
    }

}
