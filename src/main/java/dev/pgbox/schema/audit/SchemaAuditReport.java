package dev.pgbox.schema.audit;

import dev.pgbox.security.Finding.Severity;
import java.util.List;

/**
 * The model of 'pgbox schema audit APP': the database, how many tables were checked, and the findings,
 * most severe first. It passes when no finding is high.
 */
public record SchemaAuditReport(String database, int tables, boolean passed, long high, long fixable, List<SchemaFinding> findings) {

    public static SchemaAuditReport of(String database, int tables, List<SchemaFinding> findings) {
        long high = findings.stream().filter(f -> f.severity() == Severity.HIGH).count();
        return new SchemaAuditReport(database, tables, high == 0, high, findings.stream().filter(SchemaFinding::safe).count(),
                List.copyOf(findings));
    }
}
