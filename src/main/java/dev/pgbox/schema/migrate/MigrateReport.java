package dev.pgbox.schema.migrate;

import dev.pgbox.schema.lint.LintReport;
import java.util.List;

/**
 * What 'migrate up' or 'migrate down' did (or, with --dry-run, would do).
 *
 * @param direction    "up" or "down"
 * @param restorePoint the pg_create_restore_point name made before the first change (null on a dry run or when nothing ran)
 * @param migrations   each migration run, in the order they ran
 * @param lint         the linter's report over the pending up files (null for down)
 */
public record MigrateReport(String app, String direction, boolean dryRun, String restorePoint, List<Step> migrations, LintReport lint) {

    /**
     * One migration run.
     *
     * @param execution  "transaction" or "statement-by-statement"
     * @param statements how many statements the file holds
     * @param durationMs how long it took (0 on a dry run)
     */
    public record Step(String version, String name, String file, String execution, int statements, long durationMs) {
    }
}
