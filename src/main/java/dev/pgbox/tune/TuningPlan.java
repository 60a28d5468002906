package dev.pgbox.tune;

import java.util.List;
import java.util.Optional;

/**
 * A complete sizing plan: every tuned parameter with its value and reason. Pure data; {@link Tuner}
 * makes it and {@code ServerConf} writes it.
 *
 * @param budgetBytes the RAM PostgreSQL plans for: machine RAM times the share, or less when the rest of the box needs more
 * @param reserve what the rest of the box needs (the OS and other services, PgBouncer, the agent)
 */
public record TuningPlan(Machine machine, Profile profile, int sharePercent, long budgetBytes, List<TunedSetting> settings,
                         BoxReserve reserve) {

    public Optional<TunedSetting> get(String guc) {
        return settings.stream().filter(s -> s.guc().equals(guc)).findFirst();
    }

    /** The value of one parameter; throws if the plan has none. */
    public String value(String guc) {
        return get(guc).orElseThrow(() -> new IllegalArgumentException("no " + guc + " in plan")).value();
    }
}
