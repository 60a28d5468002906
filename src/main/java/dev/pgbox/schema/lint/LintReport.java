package dev.pgbox.schema.lint;

import java.util.List;

/** What the linter found over a set of scripts. */
public record LintReport(int sources, int statements, List<LintFinding> findings) {

    /** Errors not accepted by a comment: what makes 'migrate up' refuse. */
    public long errors() {
        return findings.stream().filter(f -> !f.accepted() && f.severity().equals("error")).count();
    }

    public long warnings() {
        return findings.stream().filter(f -> !f.accepted() && f.severity().equals("warning")).count();
    }

    public long accepted() {
        return findings.stream().filter(LintFinding::accepted).count();
    }

    public boolean passed() {
        return errors() == 0;
    }
}
