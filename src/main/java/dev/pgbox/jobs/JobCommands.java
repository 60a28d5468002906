package dev.pgbox.jobs;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import dev.pgbox.apps.AppName;

/**
 * The SQL of pgbox's default jobs: pure text, run by pg_cron's background workers. pg_cron runs a
 * command of several statements as one transaction, so a command that must commit as it goes (the
 * purge) is one DO block, and REINDEX CONCURRENTLY (which cannot run in a transaction block) is a
 * command of its own.
 */
public final class JobCommands {
    private JobCommands() {
    }

    /**
     * pg_partman's maintenance of every partitioned table of the app, run by the app's maintenance role
     * as the owner (new partitions belong to the owner, as the parent does). run_maintenance, not
     * run_maintenance_proc: the procedure commits, which it cannot inside pg_cron's one transaction.
     */
    public static String partman(AppName app, long lockTimeoutMillis) {
        return "SET ROLE " + ident(app.ownerRole()) + "; SET lock_timeout = " + literal(lockTimeoutMillis + "ms")
                + "; SELECT partman.run_maintenance(p_analyze := false)";
    }

    /** The np_ tables of schema public with a deleted_at timestamp column (partitions count through their parent). */
    public static final String SOFT_DELETE_TABLES = "SELECT c.oid::regclass::text FROM pg_class c"
            + " JOIN pg_namespace s ON s.oid = c.relnamespace"
            + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'deleted_at' AND NOT a.attisdropped"
            + " AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)"
            + " WHERE s.nspname = 'public' AND c.relname LIKE 'np\\_%' AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

    /**
     * Deletes rows soft-deleted longer than {@code retentionSeconds} from every np_ table with a
     * deleted_at column the running role may delete from, {@code batch} rows per transaction (tableoid
     * and ctid name a row in a plain and a partitioned table alike). The tables are found when it runs,
     * so a new table is purged from its first day. A run stops at half the role's statement_timeout
     * (the timeout counts for the whole DO block, commits or not); the next run goes on.
     */
    public static String purge(long retentionSeconds, int batch) {
        return "DO $pgbox$\n"
                + "DECLARE\n"
                + "  t regclass;\n"
                + "  n bigint;\n"
                + "  started timestamptz := clock_timestamp();\n"
                + "  budget interval := CASE WHEN current_setting('statement_timeout') IN ('0', '') THEN interval '1 hour'\n"
                + "                     ELSE current_setting('statement_timeout')::interval / 2 END;\n"
                + "BEGIN\n"
                + "  FOR t IN " + SOFT_DELETE_TABLES + " AND has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'DELETE') ORDER BY 1 LOOP\n"
                + "    LOOP\n"
                + "      EXIT WHEN clock_timestamp() - started > budget;\n"
                + "      EXECUTE format('DELETE FROM %s WHERE (tableoid, ctid) IN (SELECT tableoid, ctid FROM %s WHERE deleted_at < now() - $1 LIMIT $2)', t, t)\n"
                + "        USING make_interval(secs => " + retentionSeconds + "), " + batch + ";\n"
                + "      GET DIAGNOSTICS n = ROW_COUNT;\n"
                + "      COMMIT;\n"
                + "      EXIT WHEN n < " + batch + ";\n"
                + "    END LOOP;\n"
                + "  END LOOP;\n"
                + "END\n"
                + "$pgbox$";
    }

    /** Rebuilds one index without blocking writes; alone in its command (it cannot run in a transaction block). */
    public static String reindex(String schema, String index) {
        return "REINDEX INDEX CONCURRENTLY " + ident(schema) + "." + ident(index);
    }

    /** Keeps pg_cron's run history (in POSTGRES_DB) from growing forever. */
    public static String historyPurge(long retentionSeconds) {
        return "DELETE FROM cron.job_run_details WHERE end_time < now() - make_interval(secs => " + retentionSeconds + ")";
    }

    /** The vector indexes (hnsw, ivfflat) of an app database: schema, index name. */
    public static final String VECTOR_INDEXES = "SELECT n.nspname, c.relname FROM pg_index i"
            + " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " JOIN pg_am am ON am.oid = c.relam"
            + " WHERE am.amname IN ('hnsw', 'ivfflat') AND c.relkind = 'i' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " ORDER BY 1, 2";

    /** The partitioned tables pg_partman maintains in an app database. */
    public static final String PARTMAN_PARENTS = "SELECT parent_table FROM partman.part_config ORDER BY 1";
}
