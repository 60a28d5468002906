package dev.pgbox.schema.audit;

import java.util.List;

/**
 * The model of 'pgbox schema audit APP --fix': the safe fixes it ran (in order, with their outcome) and
 * the audit made afterwards. It passes when that audit has no high finding.
 */
public record FixReport(String database, boolean passed, List<AppliedFix> applied, SchemaAuditReport remaining) {

    public static FixReport of(String database, List<AppliedFix> applied, SchemaAuditReport remaining) {
        return new FixReport(database, remaining.passed(), List.copyOf(applied), remaining);
    }
}
