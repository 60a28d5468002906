package dev.pgbox.schema.audit;

/**
 * One statement 'pgbox schema audit --fix' ran: the check it answers, its table, the SQL, and the
 * outcome: "applied", or "failed" with the server's error (and what happened to a half-built index).
 */
public record AppliedFix(String check, String table, String sql, String outcome, String error) {
    public static final String APPLIED = "applied";
    public static final String FAILED = "failed";

    public boolean ok() {
        return APPLIED.equals(outcome);
    }
}
