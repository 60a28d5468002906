package dev.pgbox.schema.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.schema.ParsedSql;
import dev.pgbox.schema.SqlStatement;
import java.util.List;
import java.util.Set;

/**
 * How a migration runs. Normally in one transaction together with its history row, so it applies
 * completely or not at all. A statement PostgreSQL refuses inside a transaction block (CREATE/DROP
 * INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, DETACH PARTITION CONCURRENTLY) makes the
 * migration run statement by statement instead; such a migration may hold only those statements and
 * SET/RESET, because a failure half-way would otherwise leave ordinary changes applied without a
 * history row.
 */
public enum Execution {
    TRANSACTION("transaction"),
    STATEMENT_BY_STATEMENT("statement-by-statement");

    /** Transaction control pgbox does itself; savepoints inside the migration's transaction are fine. */
    private static final Set<String> OWN_TRANSACTION = Set.of("TRANS_STMT_BEGIN", "TRANS_STMT_START", "TRANS_STMT_COMMIT",
            "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE", "TRANS_STMT_COMMIT_PREPARED", "TRANS_STMT_ROLLBACK_PREPARED");

    private final String label;

    Execution(String label) {
        this.label = label;
    }

    /** As the history table and --json name it. */
    public String label() {
        return label;
    }

    /**
     * The execution of a parsed migration file.
     *
     * @throws PgboxException (USAGE) when it controls transactions itself, or mixes a statement that
     *                        cannot run in a transaction with ordinary statements
     */
    public static Execution of(ParsedSql sql) {
        SqlStatement outside = null;
        SqlStatement ordinary = null;
        for (SqlStatement s : sql.statements()) {
            if (s.kind().equals("TransactionStmt") && OWN_TRANSACTION.contains(s.node().path("kind").asText())) {
                throw new PgboxException(ErrorKind.USAGE, "migration " + sql.source() + " controls its own transaction (line " + s.line()
                        + ": " + s.shortText(40) + ")", "pgbox runs each migration in one transaction with its history row",
                        "remove BEGIN/COMMIT/ROLLBACK from the file");
            }
            if (outsideTransaction(s) != null) {
                outside = outside == null ? s : outside;
            } else if (!s.kind().equals("VariableSetStmt")) {
                ordinary = ordinary == null ? s : ordinary;
            }
        }
        if (outside == null) {
            return TRANSACTION;
        }
        if (ordinary != null) {
            throw new PgboxException(ErrorKind.USAGE, "migration " + sql.source() + " mixes " + outsideTransaction(outside) + " (line "
                    + outside.line() + ") with statements that need a transaction (line " + ordinary.line() + ": "
                    + ordinary.shortText(40) + ")",
                    outsideTransaction(outside) + " cannot run inside a transaction, so this migration could not roll back as a whole",
                    "put the " + outsideTransaction(outside) + " statement in its own migration (pgbox migrate new APP \"...\"), "
                            + "with only SET statements beside it");
        }
        return STATEMENT_BY_STATEMENT;
    }

    /** What makes a statement impossible inside a transaction block (e.g. "CREATE INDEX CONCURRENTLY"), or null. */
    public static String outsideTransaction(SqlStatement s) {
        JsonNode n = s.node();
        return switch (s.kind()) {
            case "IndexStmt" -> n.path("concurrent").asBoolean() ? "CREATE INDEX CONCURRENTLY" : null;
            case "DropStmt" -> n.path("concurrent").asBoolean() ? "DROP INDEX CONCURRENTLY" : null;
            case "ReindexStmt" -> reindex(n);
            case "VacuumStmt" -> n.path("is_vacuumcmd").asBoolean() ? "VACUUM" : null;
            case "AlterTableStmt" -> detachConcurrently(n) ? "DETACH PARTITION CONCURRENTLY" : null;
            default -> null;
        };
    }

    private static String reindex(JsonNode n) {
        for (JsonNode p : n.path("params")) {
            if (p.path("DefElem").path("defname").asText().equals("concurrently")) {
                return "REINDEX CONCURRENTLY";
            }
        }
        // REINDEX SCHEMA/DATABASE/SYSTEM commit per table, so PostgreSQL refuses them in a transaction block
        return List.of("REINDEX_OBJECT_SCHEMA", "REINDEX_OBJECT_DATABASE", "REINDEX_OBJECT_SYSTEM").contains(n.path("kind").asText())
                ? "REINDEX " + n.path("kind").asText().substring("REINDEX_OBJECT_".length()) : null;
    }

    private static boolean detachConcurrently(JsonNode n) {
        for (JsonNode c : n.path("cmds")) {
            JsonNode cmd = c.path("AlterTableCmd");
            if (cmd.path("subtype").asText().equals("AT_DetachPartition") && cmd.path("def").path("PartitionCmd").path("concurrent").asBoolean()) {
                return true;
            }
        }
        return false;
    }
}
