package dev.pgbox.component;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.install.Requirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every component of a pgbox server, in start order: start reconciles them in this order, stop goes
 * in reverse. Adding PgBouncer, Patroni or etcd is adding its class here.
 */
public final class Components {
    private static final List<Component> ALL = List.of(new PostgresComponent(), new PgBackRestComponent(), new PgBouncerComponent(), new AgentComponent());

    private Components() {
    }

    public static List<Component> all() {
        return ALL;
    }

    /** Each component's requirements for the project, by component name, in start order. */
    public static Map<String, List<Requirement>> requirementsByComponent(Project project) {
        Map<String, List<Requirement>> byName = new LinkedHashMap<>();
        for (Component c : ALL) {
            byName.put(c.name(), c.requirements(project));
        }
        return byName;
    }

    /** What the installer must find for a major: every component's requirements, for the project of {@code settings}. */
    public static Function<PgInstallation, List<Requirement>> requirements(Settings settings) {
        return pg -> {
            List<Requirement> all = new ArrayList<>();
            requirementsByComponent(Project.of(settings, Layout.resolve(settings, pg))).values().forEach(all::addAll);
            return all;
        };
    }
}
