package dev.pgbox.service;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Server;
import dev.pgbox.component.AgentComponent;
import dev.pgbox.component.Component;
import dev.pgbox.component.Health;
import dev.pgbox.component.PgBouncerComponent;
import dev.pgbox.component.Project;
import dev.pgbox.config.EnvFile;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.pool.PoolConsole;
import dev.pgbox.pool.PoolReport;
import dev.pgbox.pool.PoolerAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgbox pool enable|disable|status} and {@code pgbox plugin install pgbouncer}: switches
 * PgBouncer on or off in the project's env file (so the next 'pgbox start' agrees) and brings the
 * running machine to that state through the pgbouncer component; reads its pools from the console.
 */
public final class PoolService {
    /** The only plugin there is so far. */
    public static final String PGBOUNCER = PgBouncerComponent.NAME;

    private PoolService() {
    }

    /**
     * What enable or disable did.
     *
     * @param enabled PGBOUNCER_ENABLED afterwards
     * @param changed whether anything changed (false: it was already so)
     * @param envFile the file that holds PGBOUNCER_ENABLED
     * @param actions what was done, in words
     * @param health the pgbouncer component's health afterwards
     */
    public record Change(boolean enabled, boolean changed, String envFile, int port, List<String> actions, Health health) {
    }

    /**
     * {@code pgbox pool status}.
     *
     * @param report the console's pools and traffic; null when PgBouncer is off or does not answer
     */
    public record Status(boolean enabled, int port, Health health, PoolReport report) {
    }

    /** Installs the package when missing, writes PGBOUNCER_ENABLED=on and starts PgBouncer when the server runs. */
    public static Change enable(Settings settings, Progress progress) {
        refuseEnvironmentOverride(settings, "on");
        Server server = Server.open(settings);
        Path envFile = envFile(settings);
        Settings on = settings.with(Setting.PGBOUNCER_ENABLED, "on", envFile.getFileName().toString());
        Project project = Project.of(on, server.layout());
        Component pgbouncer = new PgBouncerComponent();
        List<String> actions = new ArrayList<>();
        if (pgbouncer.requirements(project).stream().anyMatch(r -> !r.present())) {
            progress.step("installing PgBouncer (Debian's pgbouncer package)");
        }
        Installer.ensure(server.layout().pg(), () -> pgbouncer.requirements(project), progress);
        boolean wasOn = PgBouncerComponent.enabled(settings);
        if (!wasOn || Settings.ENV_SOURCE.equals(settings.source(Setting.PGBOUNCER_ENABLED))) {
            EnvFile.set(envFile, Setting.PGBOUNCER_ENABLED.name(), "on");
            actions.add("wrote PGBOUNCER_ENABLED=on to " + envFile);
        }
        Health before = pgbouncer.health(project);
        if (server.running()) {
            actions.addAll(pgbouncer.reconcile(project, progress).actions());
            actions.addAll(agentKnows(project, progress));
        } else {
            actions.add("the server is not running: 'pgbox start' starts PgBouncer with it");
        }
        Health after = pgbouncer.health(project);
        boolean changed = !wasOn || before.state() != after.state();
        return new Change(true, changed, envFile.toString(), on.integer(Setting.PGBOUNCER_PORT), actions, after);
    }

    /** Stops PgBouncer when it runs and writes PGBOUNCER_ENABLED=off. */
    public static Change disable(Settings settings) {
        refuseEnvironmentOverride(settings, "off");
        Server server = Server.open(settings);
        Path envFile = envFile(settings);
        Component pgbouncer = new PgBouncerComponent();
        // stop with the settings it was started with: the component knows its process from them
        List<String> actions = new ArrayList<>(pgbouncer.stop(Project.of(settings, server.layout())));
        boolean wasOn = PgBouncerComponent.enabled(settings);
        if (wasOn) {
            EnvFile.set(envFile, Setting.PGBOUNCER_ENABLED.name(), "off");
            actions.add("wrote PGBOUNCER_ENABLED=off to " + envFile);
        }
        Settings off = settings.with(Setting.PGBOUNCER_ENABLED, "off", envFile.getFileName().toString());
        if (wasOn && server.running()) {
            actions.addAll(agentKnows(Project.of(off, server.layout()), Progress.SILENT));
        }
        Health after = pgbouncer.health(Project.of(off, server.layout()));
        return new Change(false, !actions.isEmpty(), envFile.toString(), off.integer(Setting.PGBOUNCER_PORT), actions, after);
    }

    /** The component's health and, while PgBouncer answers, its pools and traffic. */
    public static Status status(Settings settings) {
        Server server = Server.open(settings);
        Project project = Project.of(settings, server.layout());
        boolean enabled = PgBouncerComponent.enabled(settings);
        Health health = new PgBouncerComponent().health(project);
        return new Status(enabled, settings.integer(Setting.PGBOUNCER_PORT), health, enabled ? report(project) : null);
    }

    /**
     * The agent runs with a snapshot of the settings 'pgbox start' wrote; its watchdog keeps PgBouncer up only
     * while that snapshot says PGBOUNCER_ENABLED=on. Reconciling the agent rewrites the snapshot and restarts it
     * when the snapshot changed (and does nothing while PGBOX_AGENT=off).
     */
    private static List<String> agentKnows(Project project, Progress progress) {
        return new AgentComponent().reconcile(project, progress).actions();
    }

    /** The console's report, or null when PgBouncer does not answer (status never fails on it). */
    static PoolReport report(Project project) {
        try {
            return PoolConsole.of(project.instance(), PoolerAddress.of(project.settings(), project.layout())).report();
        } catch (PgboxException e) {
            return null;
        }
    }

    /** {@code pgbox plugin install NAME}: pgbouncer is installed and enabled; any other name is refused before anything changes. */
    public static Change installPlugin(Settings settings, String plugin, Progress progress) {
        if (!PGBOUNCER.equals(plugin)) {
            throw new PgboxException(ErrorKind.USAGE, "unknown plugin '" + plugin + "'",
                    "pgbox knows one plugin: pgbouncer (connection pooling); nothing was installed or changed",
                    "pgbox plugin install pgbouncer");
        }
        return enable(settings, progress);
    }

    /** The env file pgbox writes the project's switches to: .env.dev, or .env.ENV for another environment. */
    static Path envFile(Settings settings) {
        return settings.projectDir().resolve(settings.envName().equals("dev") ? Settings.DEV_FILE : ".env." + settings.envName());
    }

    /** A PGBOUNCER_ENABLED in the process environment wins over every file: writing the file would change nothing. */
    private static void refuseEnvironmentOverride(Settings settings, String wanted) {
        if (Settings.ENV_SOURCE.equals(settings.source(Setting.PGBOUNCER_ENABLED)) && !wanted.equals(settings.get(Setting.PGBOUNCER_ENABLED))) {
            throw new PgboxException(ErrorKind.CONFIG, "PGBOUNCER_ENABLED=" + settings.get(Setting.PGBOUNCER_ENABLED) + " is set in the environment",
                    "the environment overrides the project's env files, so PGBOUNCER_ENABLED=" + wanted + " there would not take effect",
                    "unset PGBOUNCER_ENABLED in your shell (or set it to " + wanted + "), then run this again");
        }
    }
}
