package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Requirement;
import dev.pgbox.pool.PgBouncerConfig;
import dev.pgbox.pool.PgBouncerFiles;
import dev.pgbox.pool.PgBouncerProcess;
import dev.pgbox.pool.Pooler;
import dev.pgbox.tune.RamPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * PgBouncer in front of the server (PGBOUNCER_ENABLED=on): the distro's package, run as the server's
 * OS user on 127.0.0.1:PGBOUNCER_PORT, one transaction pool and one session pool per app database,
 * clients authenticated with scram-sha-256 through auth_query (no password list on disk). The work is
 * in {@link Pooler}; this is its place among the components (after pgBackRest, before the agent, whose
 * watchdog restarts a killed PgBouncer where systemd does not).
 */
public final class PgBouncerComponent implements Component {
    public static final String NAME = "pgbouncer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        if (!enabled(project.settings())) {
            return List.of();
        }
        return List.of(new Requirement("PgBouncer (connection pooling)", Files.isExecutable(Path.of(PgBouncerProcess.PGBOUNCER)),
                List.of("pgbouncer")));
    }

    /** The files as pgbox would write them now, for the main database alone (rendering lists no apps: no SQL). */
    @Override
    public Map<String, String> render(Project project) {
        if (!enabled(project.settings())) {
            return Map.of();
        }
        Settings s = project.settings();
        return PgBouncerConfig.render(s, project.layout(), List.of(s.get(Setting.POSTGRES_DB)), RamPlan.poolSizing(s, project.plan(), 1));
    }

    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        List<String> actions = new java.util.ArrayList<>(PatroniComponent.syncPoolerHba(project)); // an HA member's pg_hba is Patroni's
        actions.addAll(Pooler.reconcile(project.settings(), project.layout(), project.instance(), progress));
        return new Reconciled(project, actions);
    }

    @Override
    public List<String> stop(Project project) {
        return Pooler.stop(project.layout()) ? List.of("PgBouncer stopped") : List.of();
    }

    @Override
    public Health health(Project project) {
        if (!enabled(project.settings())) {
            return Health.off(NAME, "PGBOUNCER_ENABLED=off: clients connect to the server directly");
        }
        int port = project.settings().integer(Setting.PGBOUNCER_PORT);
        OptionalLong pid = PgBouncerProcess.running(project.layout());
        if (pid.isEmpty()) {
            return new Health(NAME, Health.State.DOWN, "not running (127.0.0.1:" + port + ")",
                    "run 'pgbox start'; its log is " + PgBouncerFiles.of(project.layout()).log());
        }
        if (!PgBouncerProcess.answers(port)) {
            return new Health(NAME, Health.State.DEGRADED, "pid " + pid.getAsLong() + " does not answer on 127.0.0.1:" + port,
                    "read " + PgBouncerFiles.of(project.layout()).log() + "; 'pgbox restart' starts it again");
        }
        return Health.up(NAME, "running · pid " + pid.getAsLong() + " · 127.0.0.1:" + port + " (TLS, scram-sha-256)");
    }

    public static boolean enabled(Settings s) {
        return "on".equals(s.get(Setting.PGBOUNCER_ENABLED));
    }
}
