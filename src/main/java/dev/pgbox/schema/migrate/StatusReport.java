package dev.pgbox.schema.migrate;

import java.util.List;

/** 'pgbox migrate status APP': every version on disk or in the history table, oldest first. */
public record StatusReport(String app, String folder, int applied, int pending, int drifted, int missing, List<MigrationStatus> migrations) {

    /** True when no applied migration's file changed or went missing (exit 0; else 11). */
    public boolean clean() {
        return drifted == 0 && missing == 0;
    }
}
