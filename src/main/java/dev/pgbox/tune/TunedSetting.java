package dev.pgbox.tune;

import dev.pgbox.config.Apply;
import dev.pgbox.config.Setting;

/**
 * One line of a tuning plan.
 *
 * @param guc the PostgreSQL parameter
 * @param value in postgresql.conf form (512MB, 1.1, 30s)
 * @param reason why this value, with the numbers it came from
 * @param source "tuned" or where an explicit value was written (.env.dev, env)
 */
public record TunedSetting(String guc, String value, String reason, String source) {
    /** Compact constructor: a parameter the settings catalogue does not know cannot enter a plan. */
    public TunedSetting {
        Setting.applyOf(guc);
    }

    /** When a change takes effect (restart or reload), as the settings catalogue says. */
    public Apply apply() {
        return Setting.applyOf(guc);
    }

    /** True when a change needs a server restart, false when a reload is enough. */
    public boolean restart() {
        return apply() == Apply.RESTART;
    }
}
