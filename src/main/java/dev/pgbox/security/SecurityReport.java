package dev.pgbox.security;

import java.util.List;

/**
 * The findings of an audit ('pgbox security audit', 'pgbox rls audit') in the order the audit gives
 * them; it passes when none is high.
 */
public record SecurityReport(boolean passed, List<Finding> findings) {

    public static SecurityReport of(List<Finding> findings) {
        return new SecurityReport(findings.stream().noneMatch(f -> f.severity() == Finding.Severity.HIGH), List.copyOf(findings));
    }

    /** How many findings are high severity. */
    public long highCount() {
        return findings.stream().filter(f -> f.severity() == Finding.Severity.HIGH).count();
    }
}
