package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Requirement;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer in front of the server (PGBOUNCER_ENABLED=on): the distro's package, run as the server's
 * OS user on 127.0.0.1:PGBOUNCER_PORT, one transaction pool and one session pool per app database,
 * clients authenticated with scram-sha-256 through auth_query (no password list on disk).
 * SKELETON: the pool helper fills it in.
 */
public final class PgBouncerComponent implements Component {
    public static final String NAME = "pgbouncer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        return List.of();
    }

    @Override
    public Map<String, String> render(Project project) {
        return Map.of();
    }

    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        return new Reconciled(project, List.of());
    }

    @Override
    public List<String> stop(Project project) {
        return List.of();
    }

    @Override
    public Health health(Project project) {
        if (!enabled(project.settings())) {
            return Health.off(NAME, "PGBOUNCER_ENABLED=off: clients connect to the server directly");
        }
        return Health.off(NAME, "not built yet");
    }

    public static boolean enabled(Settings s) {
        return "on".equals(s.get(Setting.PGBOUNCER_ENABLED));
    }
}
