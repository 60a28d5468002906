package dev.pgbox.schema.audit;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.schema.migrate.MigrationFiles;
import dev.pgbox.security.Rls;
import dev.pgbox.sql.SqlText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * 'pgbox schema new-table': the SQL of a table that follows the np_ convention (the seed's np_example),
 * written as a migration pair. Pure text, no server: id uuid primary key with gen_random_uuid(),
 * source_account_id text NOT NULL DEFAULT 'primary' (indexed), created_at/updated_at timestamptz NOT
 * NULL DEFAULT now() with the np_set_updated_at() trigger; optionally deleted_at with its partial index
 * (--soft-delete), a nullable tenant_id uuid with its index and the same row-level security 'pgbox rls
 * enable' sets up (--tenant), and an embedding vector(DIM) with an HNSW cosine index (--vector).
 * Plain CREATE INDEX is right here: the table is new and empty, in the same transaction.
 */
public final class NewTable {
    /** HNSW indexes hold vectors of at most this many dimensions (pgvector). */
    public static final int MAX_HNSW_DIMENSIONS = 2000;
    /** Longest table name: its index names (NAME_source_account_id_idx) must fit 63 bytes. */
    public static final int MAX_NAME_BYTES = SqlText.MAX_NAME_BYTES - "_source_account_id_idx".length();

    private NewTable() {
    }

    /**
     * What to create.
     *
     * @param vector the embedding's dimensions, or null for no embedding column
     */
    public record Spec(String schema, String table, boolean softDelete, boolean tenant, Integer vector) {
        public Spec {
            if (vector != null && (vector < 1 || vector > MAX_HNSW_DIMENSIONS)) {
                throw new PgboxException(ErrorKind.USAGE, "invalid --vector " + vector,
                        "an HNSW index holds vectors of 1 to " + MAX_HNSW_DIMENSIONS + " dimensions",
                        "use the model's dimension, e.g. --vector 1536 (OpenAI) or --vector 768");
            }
        }

        String sql() {
            return SqlNames.qualified(schema, table);
        }
    }

    /** The two files written, or the SQL when only printed. */
    public record Scaffold(String up, String down, List<Path> files, String warning) {
    }

    /**
     * Parses NAME or SCHEMA.NAME: lowercase letters, digits and _, not a reserved word, short enough for
     * its index names. Throws a usage error naming the rule.
     */
    public static String[] parseName(String text) {
        String[] parts = text == null ? new String[] {""} : text.split("\\.", -1);
        if (parts.length > 2) {
            throw badName(text, "it has more than one dot", "e.g. np_orders or public.np_orders");
        }
        String schema = parts.length == 2 ? parts[0] : "public";
        String table = parts[parts.length - 1];
        for (String[] p : List.of(new String[] {"schema", schema}, new String[] {"table", table})) {
            String why = SqlText.nameProblem(p[1]);
            if (why == null && SqlNames.RESERVED.contains(p[1])) {
                why = "'" + p[1] + "' is a reserved word in SQL";
            }
            if (why != null) {
                throw badName(text, "the " + p[0] + " name: " + why, "use lowercase letters, digits and _, e.g. np_orders");
            }
        }
        if (CatalogFacts.SKIPPED_SCHEMAS.contains(schema) || schema.startsWith("pg_")) {
            throw badName(text, "schema " + schema + " belongs to PostgreSQL or an extension, not to the app",
                    "use the app's schema, e.g. public." + table);
        }
        int bytes = table.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw badName(text, "it is " + bytes + " bytes long; its index names (NAME_source_account_id_idx) must fit PostgreSQL's "
                    + SqlText.MAX_NAME_BYTES + " bytes, so at most " + MAX_NAME_BYTES, "use a shorter name");
        }
        return new String[] {schema, table};
    }

    private static PgboxException badName(String text, String why, String fix) {
        return new PgboxException(ErrorKind.USAGE, "invalid table name " + SqlText.shown(text), why, fix);
    }

    /** A warning when the name breaks the np_ convention (allowed: the audit then checks it only with --all-tables). */
    public static String warning(String table) {
        return table.startsWith(AuditChecks.PREFIX) ? null : "'" + table + "' has no np_ prefix: nSelf-managed tables are np_*, "
                + "and 'pgbox schema audit' checks the np_ conventions only on those (unless --all-tables)";
    }

    /** The CREATE migration. */
    public static String up(Spec s) {
        String t = s.sql();
        String n = s.table();
        StringBuilder sb = new StringBuilder();
        sb.append("-- pgbox schema new-table ").append(s.schema()).append('.').append(n).append(": the np_ convention\n");
        sb.append("CREATE TABLE ").append(t).append(" (\n");
        sb.append("    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n");
        sb.append("    -- multi-app isolation inside one deploy\n");
        sb.append("    source_account_id text NOT NULL DEFAULT 'primary',\n");
        if (s.tenant()) {
            sb.append("    -- cloud tenancy (nullable, as in the convention); row-level security below filters by it\n");
            sb.append("    tenant_id uuid,\n");
        }
        sb.append("    -- your columns here, e.g. name text NOT NULL,\n");
        sb.append("    created_at timestamptz NOT NULL DEFAULT now(),\n");
        sb.append("    updated_at timestamptz NOT NULL DEFAULT now()");
        if (s.softDelete()) {
            sb.append(",\n    -- soft delete: NULL = live, a time = deleted\n    deleted_at timestamptz");
        }
        if (s.vector() != null) {
            sb.append(",\n    embedding vector(").append(s.vector()).append(')');
        }
        sb.append("\n);\n");
        sb.append("CREATE INDEX ").append(n).append("_source_account_id_idx ON ").append(t).append(" (source_account_id);\n");
        if (s.tenant()) {
            sb.append("CREATE INDEX ").append(n).append("_tenant_id_idx ON ").append(t).append(" (tenant_id);\n");
        }
        if (s.softDelete()) {
            sb.append("CREATE INDEX ").append(n).append("_active_idx ON ").append(t).append(" (id) WHERE deleted_at IS NULL;\n");
        }
        if (s.vector() != null) {
            sb.append("CREATE INDEX ").append(n).append("_embedding_hnsw_idx ON ").append(t)
                    .append(" USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);\n");
        }
        sb.append("CREATE TRIGGER ").append(n).append("_updated_at BEFORE UPDATE ON ").append(t)
                .append(" FOR EACH ROW EXECUTE FUNCTION public.np_set_updated_at();\n");
        if (s.tenant()) {
            // the same isolation as 'pgbox rls enable' (policy name and comment included), so 'pgbox rls test' knows the column
            String check = "tenant_id = NULLIF(current_setting('" + Rls.SETTING + "', true), '')::uuid";
            sb.append("ALTER TABLE ").append(t).append(" ENABLE ROW LEVEL SECURITY;\n");
            sb.append("ALTER TABLE ").append(t).append(" FORCE ROW LEVEL SECURITY;\n");
            sb.append("CREATE POLICY ").append(Rls.POLICY).append(" ON ").append(t).append(" USING (").append(check)
                    .append(") WITH CHECK (").append(check).append(");\n");
            sb.append("COMMENT ON POLICY ").append(Rls.POLICY).append(" ON ").append(t).append(" IS 'pgbox tenant column: tenant_id';\n");
        }
        return sb.toString();
    }

    /** The DROP migration (indexes, trigger and policy go with the table). */
    public static String down(Spec s) {
        return "DROP TABLE " + s.sql() + ";\n";
    }

    /** Writes the migration pair under the project's migrations/APP. */
    public static Scaffold write(Path projectDir, AppName app, Spec s) {
        String up = up(s);
        String down = down(s);
        List<Path> files = MigrationFiles.create(projectDir, app, "create " + s.table(), up, down);
        return new Scaffold(up, down, files, warning(s.table()));
    }

    /** The SQL only, nothing written. */
    public static Scaffold print(Spec s) {
        return new Scaffold(up(s), down(s), List.of(), warning(s.table()));
    }
}
