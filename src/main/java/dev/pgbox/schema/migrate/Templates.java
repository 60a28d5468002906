package dev.pgbox.schema.migrate;

import dev.pgbox.apps.AppName;

/** The commented skeletons 'pgbox migrate new' writes: what pgbox does around the SQL, and the safe patterns. */
public final class Templates {
    private Templates() {
    }

    public static String up(AppName app, String description) {
        return "-- " + oneLine(description) + " (up)\n"
                + "--\n"
                + "-- pgbox migrate up " + app + " runs this file as " + app.ownerRole() + " (never as superuser). Before it:\n"
                + "--   * the linter checks it (refuses locking or rewriting statements unless --accept-risk or an\n"
                + "--     accept comment naming the rule and a reason);\n"
                + "--   * lock_timeout (PGBOX_MIGRATE_LOCK_TIMEOUT) and statement_timeout (PGBOX_MIGRATE_STATEMENT_TIMEOUT)\n"
                + "--     are set for you: no SET lock_timeout needed;\n"
                + "--   * a restore point is made (pg_create_restore_point).\n"
                + "-- The whole file runs in ONE transaction with its history row: it applies completely or not at all.\n"
                + "-- Do not write BEGIN/COMMIT.\n"
                + "--\n"
                + "-- CREATE INDEX CONCURRENTLY (and DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM) cannot run\n"
                + "-- in a transaction: put such a statement in a migration of its own (SET statements may stay beside it);\n"
                + "-- it then runs outside a transaction, and pgbox checks that the index is valid afterwards.\n"
                + "--\n"
                + "-- Safe patterns:\n"
                + "--   ALTER TABLE t ADD COLUMN c text;                                -- nullable, no rewrite\n"
                + "--   CREATE INDEX CONCURRENTLY IF NOT EXISTS t_c_idx ON t (c);       -- own migration\n"
                + "--   ALTER TABLE t ADD CONSTRAINT t_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
                + "--   ALTER TABLE t VALIDATE CONSTRAINT t_c_nn;                      -- next migration\n"
                + "--   ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u) REFERENCES u (id) NOT VALID;\n"
                + "\n";
    }

    public static String down(AppName app, String description) {
        return "-- " + oneLine(description) + " (down)\n"
                + "--\n"
                + "-- pgbox migrate down " + app + " runs this file to undo the up file, as " + app.ownerRole()
                + ", with the same\n"
                + "-- rules: one transaction (with the removal of the history row) unless it holds a CONCURRENTLY statement.\n"
                + "-- Undo the up file's statements in reverse order, e.g.\n"
                + "--   ALTER TABLE t DROP COLUMN IF EXISTS c;\n"
                + "--   DROP INDEX CONCURRENTLY IF EXISTS t_c_idx;                       -- own migration, like its up\n"
                + "\n";
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ").strip();
    }
}
