package dev.pgbox.schema.lint;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** What the linter found over a set of scripts; its JSON also carries the counts and whether it passed. */
public record LintReport(int sources, int statements, List<LintFinding> findings) {

    /** Errors not accepted by a comment: what makes 'migrate up' refuse. */
    @JsonProperty
    public long errors() {
        return findings.stream().filter(f -> !f.accepted() && f.severity().equals("error")).count();
    }

    @JsonProperty
    public long warnings() {
        return findings.stream().filter(f -> !f.accepted() && f.severity().equals("warning")).count();
    }

    @JsonProperty
    public long accepted() {
        return findings.stream().filter(LintFinding::accepted).count();
    }

    @JsonProperty
    public boolean passed() {
        return errors() == 0;
    }
}
