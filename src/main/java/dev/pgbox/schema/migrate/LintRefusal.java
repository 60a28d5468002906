package dev.pgbox.schema.migrate;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.schema.lint.LintReport;

/** 'migrate up' refused because the linter found errors in the pending files; carries the findings to show. */
public final class LintRefusal extends PgboxException {
    private final transient LintReport report;

    LintRefusal(String app, LintReport report) {
        super(ErrorKind.FINDINGS, "migrate up " + app + " refused: the linter found " + report.errors() + " error(s) in the pending migrations",
                "each would take a lock or rewrite a table in a way that can stall the app (listed above)",
                "use the safe form each finding names, accept one with a comment naming the rule and a reason, "
                        + "or run again with --accept-risk");
        this.report = report;
    }

    public LintReport report() {
        return report;
    }
}
