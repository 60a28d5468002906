package dev.pgbox.schema.lint;

import java.util.Arrays;
import java.util.Optional;

/** PostgreSQL's table lock modes, weakest first, and which ones conflict (the table in the manual's "Table-Level Locks"). */
enum LockMode {
    ACCESS_SHARE("AccessShareLock", "ACCESS SHARE"),
    ROW_SHARE("RowShareLock", "ROW SHARE"),
    ROW_EXCLUSIVE("RowExclusiveLock", "ROW EXCLUSIVE"),
    SHARE_UPDATE_EXCLUSIVE("ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE"),
    SHARE("ShareLock", "SHARE"),
    SHARE_ROW_EXCLUSIVE("ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE"),
    EXCLUSIVE("ExclusiveLock", "EXCLUSIVE"),
    ACCESS_EXCLUSIVE("AccessExclusiveLock", "ACCESS EXCLUSIVE");

    /** For each mode (by ordinal), the modes it conflicts with, as a bit set over ordinals. */
    private static final int[] CONFLICTS = {
        bits(7), bits(6, 7), bits(4, 5, 6, 7), bits(3, 4, 5, 6, 7), bits(2, 3, 5, 6, 7), bits(2, 3, 4, 5, 6, 7), bits(1, 2, 3, 4, 5, 6, 7),
        bits(0, 1, 2, 3, 4, 5, 6, 7)};

    private final String catalogName;
    private final String sqlName;

    LockMode(String catalogName, String sqlName) {
        this.catalogName = catalogName;
        this.sqlName = sqlName;
    }

    private static int bits(int... ordinals) {
        int b = 0;
        for (int o : ordinals) {
            b |= 1 << o;
        }
        return b;
    }

    boolean conflictsWith(LockMode other) {
        return (CONFLICTS[ordinal()] & (1 << other.ordinal())) != 0;
    }

    /** As LOCK TABLE and the manual spell it. */
    String sql() {
        return sqlName;
    }

    /** "an ACCESS EXCLUSIVE", "a SHARE": for messages. */
    String withArticle() {
        return (sqlName.startsWith("A") || sqlName.startsWith("E") ? "an " : "a ") + sqlName;
    }

    /** pg_locks.mode's name, e.g. AccessExclusiveLock. */
    static Optional<LockMode> fromCatalog(String mode) {
        return Arrays.stream(values()).filter(m -> m.catalogName.equals(mode)).findFirst();
    }

    /** LockStmt.mode: 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE). */
    static LockMode fromLockStmt(int mode) {
        return values()[Math.max(1, Math.min(8, mode)) - 1];
    }
}
