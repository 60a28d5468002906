package dev.pgbox.tune;

/**
 * One line of a tuning plan.
 *
 * @param guc the PostgreSQL parameter
 * @param value in postgresql.conf form (512MB, 1.1, 30s)
 * @param reason why this value, with the numbers it came from
 * @param restart true when a change needs a server restart, false when a reload is enough
 * @param source "tuned" or where an explicit value was written (.env.dev, env)
 */
public record TunedSetting(String guc, String value, String reason, boolean restart, String source) {
}
