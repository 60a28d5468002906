package dev.pgbox.schema.lint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.schema.SqlStatement;
import java.util.ArrayList;
import java.util.List;

/** Which table locks a statement takes (the strongest per table), from its parse tree. */
final class Locks {
    private Locks() {
    }

    static List<TableLock> of(SqlStatement s) {
        JsonNode n = s.node();
        List<TableLock> out = new ArrayList<>();
        switch (s.kind()) {
            case "IndexStmt" -> out.add(new TableLock(TableRef.of(n.path("relation")),
                    n.path("concurrent").asBoolean(false) ? LockMode.SHARE_UPDATE_EXCLUSIVE : LockMode.SHARE));
            case "AlterTableStmt" -> {
                if (n.path("objtype").asText().equals("OBJECT_TABLE")) {
                    alterTable(n, out);
                }
            }
            case "RenameStmt" -> {
                if (n.has("relation") && !n.path("renameType").asText().equals("OBJECT_INDEX")) {
                    out.add(new TableLock(TableRef.of(n.path("relation")), LockMode.ACCESS_EXCLUSIVE));
                }
            }
            case "AlterObjectSchemaStmt" -> {
                if (n.has("relation")) {
                    out.add(new TableLock(TableRef.of(n.path("relation")), LockMode.ACCESS_EXCLUSIVE));
                }
            }
            case "DropStmt" -> {
                if (n.path("removeType").asText().equals("OBJECT_TABLE")) {
                    for (JsonNode o : n.path("objects")) {
                        List<String> name = Trees.strings(o.path("List").path("items"));
                        if (!name.isEmpty()) {
                            out.add(new TableLock(name.size() == 1 ? new TableRef("public", name.get(0))
                                    : new TableRef(name.get(name.size() - 2), name.get(name.size() - 1)), LockMode.ACCESS_EXCLUSIVE));
                        }
                    }
                }
            }
            case "VacuumStmt" -> {
                LockMode m = n.path("is_vacuumcmd").asBoolean(false) && Trees.hasOption(n.path("options"), "full") ? LockMode.ACCESS_EXCLUSIVE
                        : LockMode.SHARE_UPDATE_EXCLUSIVE;
                Rules.relations(n.path("rels"), "VacuumRelation").forEach(t -> out.add(new TableLock(t, m)));
            }
            case "ClusterStmt" -> {
                if (n.has("relation")) {
                    out.add(new TableLock(TableRef.of(n.path("relation")), LockMode.ACCESS_EXCLUSIVE));
                }
            }
            case "ReindexStmt" -> {
                if (n.path("kind").asText().equals("REINDEX_OBJECT_TABLE")) {
                    out.add(new TableLock(TableRef.of(n.path("relation")),
                            Trees.hasOption(n.path("params"), "concurrently") ? LockMode.SHARE_UPDATE_EXCLUSIVE : LockMode.SHARE));
                }
            }
            case "LockStmt" -> {
                LockMode m = LockMode.fromLockStmt(n.path("mode").asInt(8));
                Rules.relations(n.path("relations"), null).forEach(t -> out.add(new TableLock(t, m)));
            }
            case "TruncateStmt" -> Rules.relations(n.path("relations"), null).forEach(t -> out.add(new TableLock(t, LockMode.ACCESS_EXCLUSIVE)));
            case "UpdateStmt", "DeleteStmt", "InsertStmt" -> out.add(new TableLock(TableRef.of(n.path("relation")), LockMode.ROW_EXCLUSIVE));
            default -> {
            }
        }
        return out;
    }

    /** ALTER TABLE takes the strongest lock any of its subcommands needs; a foreign key also locks the referenced table. */
    private static void alterTable(JsonNode n, List<TableLock> out) {
        TableRef t = TableRef.of(n.path("relation"));
        LockMode strongest = LockMode.ACCESS_SHARE;
        for (JsonNode c : n.path("cmds")) {
            JsonNode cmd = c.path("AlterTableCmd");
            LockMode m = switch (cmd.path("subtype").asText()) {
                case "AT_ValidateConstraint", "AT_SetStatistics", "AT_ClusterOn", "AT_DropCluster", "AT_SetOptions", "AT_ResetOptions" ->
                    LockMode.SHARE_UPDATE_EXCLUSIVE;
                case "AT_DetachPartition" -> cmd.path("def").path("PartitionCmd").path("concurrent").asBoolean(false)
                        ? LockMode.SHARE_UPDATE_EXCLUSIVE : LockMode.ACCESS_EXCLUSIVE;
                case "AT_AddConstraint" -> {
                    JsonNode con = cmd.path("def").path("Constraint");
                    if (con.path("contype").asText().equals("CONSTR_FOREIGN")) {
                        out.add(new TableLock(TableRef.of(con.path("pktable")), LockMode.SHARE_ROW_EXCLUSIVE));
                        yield LockMode.SHARE_ROW_EXCLUSIVE;
                    }
                    yield LockMode.ACCESS_EXCLUSIVE;
                }
                default -> LockMode.ACCESS_EXCLUSIVE;
            };
            if (m.ordinal() > strongest.ordinal()) {
                strongest = m;
            }
        }
        out.add(0, new TableLock(t, strongest));
    }
}
