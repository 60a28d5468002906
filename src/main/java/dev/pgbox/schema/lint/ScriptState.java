package dev.pgbox.schema.lint;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the statements linted so far did: the tables and indexes they created (new objects need no
 * care: nobody uses them yet), the NOT NULL checks they added and validated; and, per script, the open
 * transaction depth and whether lock_timeout is set.
 */
final class ScriptState {
    final Set<String> createdTables = new HashSet<>();
    final Set<String> createdIndexes = new HashSet<>();
    /** "schema.table/constraint" of a CHECK (col IS NOT NULL) added NOT VALID, to the column. */
    final Map<String, String> pendingNotNullChecks = new HashMap<>();
    /** "schema.table/column" with a validated CHECK (col IS NOT NULL): SET NOT NULL then needs no scan. */
    final Set<String> validatedNotNull = new HashSet<>();

    // per script
    int depth;
    boolean lockTimeout;
    boolean timeoutReported;
    int lastBegin;

    void startScript() {
        depth = 0;
        lockTimeout = false;
        timeoutReported = false;
        lastBegin = -1;
    }

    boolean isNew(TableRef t) {
        return t != null && createdTables.contains(t.key());
    }
}
