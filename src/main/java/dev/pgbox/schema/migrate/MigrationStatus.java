package dev.pgbox.schema.migrate;

/**
 * One version in 'pgbox migrate status'.
 *
 * @param state     applied, pending, drifted (the up file changed after it was applied) or missing
 *                  (applied, but the up file is gone)
 * @param upFile    path of the up file (null when there is none)
 * @param downFile  path of the down file (null when there is none)
 * @param appliedAt null unless applied
 */
public record MigrationStatus(String version, String name, String state, String upFile, String downFile, String appliedAt,
        String appliedBy, Long durationMs, String execution) {
    public static final String APPLIED = "applied";
    public static final String PENDING = "pending";
    public static final String DRIFTED = "drifted";
    public static final String MISSING = "missing";
}
