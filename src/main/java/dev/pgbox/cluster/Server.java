package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.tune.TuningPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One project's PostgreSQL server as the features see it: its settings and folders, its instance, and
 * the few things done to it from many places (stop, launch, apply the configuration). The work itself
 * is in the handlers: {@link Startup}, {@link Preflight}, {@link Initdb}, {@link ConfigWriter},
 * {@link Postmaster}, {@link LiveFacts}.
 */
public final class Server {
    private final Settings settings;
    private final Layout layout;

    private Server(Settings settings, Layout layout) {
        this.settings = settings;
        this.layout = layout;
    }

    /** For commands that need the installed server but must not install anything. */
    public static Server open(Settings s) {
        return new Server(s, Layout.resolve(s, Installer.installation(s)));
    }

    /** The server of settings whose layout is already resolved. */
    public static Server of(Settings s, Layout layout) {
        return new Server(s, layout);
    }

    public Layout layout() {
        return layout;
    }

    public Settings settings() {
        return settings;
    }

    public int port() {
        return instance().port();
    }

    /** The project's server as an instance: where it listens, its folders, its supervisor. */
    public Instance instance() {
        return Instance.primary(settings, layout);
    }

    public AdminSql admin() {
        return instance().admin();
    }

    public boolean running() {
        return instance().running();
    }

    public TuningPlan plan() {
        return config().plan();
    }

    private ConfigWriter config() {
        return new ConfigWriter(settings, layout);
    }

    /**
     * Stops the server: fast, then immediate after PGBOX_STOP_TIMEOUT; it stays stopped (also across a
     * reboot, and the watchdog leaves it alone) until the next start. Returns the mode used.
     */
    public String stop() {
        if (!running()) {
            throw notRunning("stop");
        }
        return new Postmaster(settings, layout).stop();
    }

    /** What keeps this server up: systemd units, or pg_ctl with the agent's watchdog. */
    public Supervisor supervisor() {
        return instance().supervisor();
    }

    /** See {@link Postmaster#launch}. */
    public void launch(Duration timeout, boolean untilWritable) {
        new Postmaster(settings, layout).launch(timeout, untilWritable);
    }

    /** Throws the not-running error for {@code verb} unless the server runs. */
    public Server requireRunning(String verb) {
        if (!running()) {
            throw notRunning(verb);
        }
        return this;
    }

    public PgboxException notRunning(String verb) {
        return new PgboxException(ErrorKind.NOT_RUNNING, "cannot " + verb + ": the server is not running",
                layout.initialized() ? "no live postmaster for " + layout.dataDir() : "no cluster in " + layout.dataDir() + " yet",
                "run 'pgbox start'");
    }

    /** See {@link ConfigWriter#check}. */
    Map<String, String> checkConfig(Path dataDir, boolean live) {
        return config().check(dataDir, live);
    }

    /** See {@link Preflight#portFree}. */
    static void checkPortFree(Settings s) {
        Preflight.portFree(s);
    }

    /** Applies the current settings and tuning to a running server; returns parameters still needing a restart. */
    public List<String> applyConfig() {
        if (!running()) {
            throw notRunning("apply the configuration");
        }
        config().write(layout.dataDir());
        PgCtl.reload(layout, layout.dataDir());
        return pendingRestart();
    }

    /** Parameters whose new value waits for a restart (pg_settings.pending_restart). */
    public List<String> pendingRestart() {
        return config().pendingRestart();
    }

    /** The certificate file clients use to verify the server. */
    public Path clientCertificate() {
        return instance().clientCertificate();
    }

    /** Live facts for status, read in one superuser query. */
    public LiveFacts liveFacts() {
        return LiveFacts.read(instance(), settings.get(dev.pgbox.config.Setting.POSTGRES_DB));
    }
}
