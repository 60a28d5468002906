package dev.pgbox.tune;

import java.util.List;
import java.util.Optional;

/**
 * A complete sizing plan: every tuned parameter with its value and reason. Pure data; {@link Tuner}
 * makes it and {@code ServerConf} writes it.
 *
 * @param budgetBytes the RAM PostgreSQL may plan for: machine RAM times the share
 */
public record TuningPlan(Machine machine, Profile profile, int sharePercent, long budgetBytes, List<TunedSetting> settings) {

    public Optional<TunedSetting> get(String guc) {
        return settings.stream().filter(s -> s.guc().equals(guc)).findFirst();
    }

    /** The value of one parameter; throws if the plan has none. */
    public String value(String guc) {
        return get(guc).orElseThrow(() -> new IllegalArgumentException("no " + guc + " in plan")).value();
    }
}
