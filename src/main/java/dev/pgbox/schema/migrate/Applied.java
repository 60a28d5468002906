package dev.pgbox.schema.migrate;

/**
 * A row of an app's history table, pgbox.schema_migrations: one applied migration.
 *
 * @param checksum     SHA-256 of the up file as it was applied
 * @param downChecksum SHA-256 of the down file at that time (null when there was none)
 * @param appliedAt    when, ISO-8601
 * @param appliedBy    the OS user and the role it ran as
 * @param execution    "transaction" or "statement-by-statement"
 */
public record Applied(String version, String name, String checksum, String downChecksum, String appliedAt, String appliedBy,
        long durationMs, String execution) {
}
