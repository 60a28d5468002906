package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.TuningPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the configuration pgbox owns into a data dir (pgbox.conf, pg_hba.conf, pg_ident.conf and the
 * include line in postgresql.conf) after PostgreSQL has judged the whole candidate, publishes the
 * certificate clients pin, and reads which parameters wait for a restart.
 */
public final class ConfigWriter {
    private final Settings settings;
    private final Layout layout;

    public ConfigWriter(Settings settings, Layout layout) {
        this.settings = settings;
        this.layout = layout;
    }

    /** The files pgbox owns in a data dir, rendered from the settings, the layout and the tuning plan alone. Pure. */
    public static Map<String, String> render(Settings s, Layout at, TuningPlan plan) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(Layout.CONF_FILE, ServerConf.render(s, at, plan));
        files.put("pg_hba.conf", HbaFile.render(Settings.list(s.get(Setting.POSTGRES_ALLOWED_CIDRS)),
                Settings.list(s.get(Setting.PGBOX_REPLICA_ADDRESSES)), pooler(s)));
        files.put("pg_ident.conf", HbaFile.renderIdent(at.osUser(), pooler(s)));
        return files;
    }

    /** PgBouncer runs in front of the server (PGBOUNCER_ENABLED=on): pg_hba.conf lets it in over the socket. */
    private static boolean pooler(Settings s) {
        return "on".equals(s.get(Setting.PGBOUNCER_ENABLED));
    }

    /** The tuning plan for this machine (reads /proc and the data dir's disk). */
    public TuningPlan plan() {
        return MachineProbe.plan(settings, layout.dataDir());
    }

    /**
     * Rewrites pgbox.conf, pg_hba.conf and pg_ident.conf in {@code dataDir}, after PostgreSQL has
     * judged the whole candidate (ConfigGuard): a refused one leaves every file as it was. Returns the
     * names of the files whose content changed.
     */
    public List<String> write(Path dataDir) {
        boolean live = dataDir.equals(layout.dataDir()) && Instance.primary(settings, layout).running();
        Map<String, String> candidate = check(dataDir, live);
        List<String> changed = new ArrayList<>();
        candidate.forEach((name, text) -> writeIfChanged(dataDir.resolve(name), text, changed));
        publishCertificate(dataDir);
        return changed;
    }

    /**
     * The files pgbox would write into {@code dataDir}, judged by ConfigGuard (with the running
     * server's own parsers when {@code live}); throws a CONFIG error when refused.
     */
    public Map<String, String> check(Path dataDir, boolean live) {
        Layout at = layout.withFolders(dataDir, layout.runDir(), layout.logDir());
        TuningPlan plan = plan();
        Map<String, String> files = render(settings, at, plan);
        String conf = OwnedFiles.read(dataDir.resolve("postgresql.conf"));
        if (!conf.contains(ServerConf.INCLUDE_LINE)) {
            files.put("postgresql.conf", conf + (conf.endsWith("\n") ? "" : "\n") + "\n" + ServerConf.INCLUDE_LINE + "\n");
        }
        ConfigGuard.check(settings, at, files, plan.machine(), live ? Instance.primary(settings, layout).admin() : null);
        return files;
    }

    /** Parameters whose new value waits for a restart (pg_settings.pending_restart). */
    public List<String> pendingRestart() {
        // the postmaster re-reads files asynchronously after SIGHUP; give it a moment
        List<String> pending = List.of();
        for (int i = 0; i < 10; i++) {
            sleep(100);
            pending = Instance.primary(settings, layout).admin()
                    .rows("postgres", "SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
                    .stream().map(r -> r.get(0)).toList();
            if (!pending.isEmpty()) {
                break;
            }
        }
        return pending;
    }

    private void writeIfChanged(Path file, String text, List<String> changed) {
        if (!OwnedFiles.read(file).equals(text)) {
            OwnedFiles.write(file, text, layout.osUser(), "rw-------");
            changed.add(file.getFileName().toString());
        }
    }

    /** A copy of the certificate clients can pin (sslrootcert), outside the 0700 data dir. */
    private void publishCertificate(Path dataDir) {
        publishCertificate(layout, dataDir);
    }

    /** See {@link #publishCertificate(Path)}; also for an HA member, whose configuration Patroni writes. */
    static void publishCertificate(Layout layout, Path dataDir) {
        Path cert = dataDir.resolve("server.crt");
        Path pub = layout.runDir().resolve("server.crt");
        try {
            if (Files.exists(cert) && (!Files.exists(pub) || Files.mismatch(cert, pub) != -1)) {
                Files.copy(cert, pub, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot publish the server certificate to " + pub, e.toString(),
                    "check that " + layout.runDir() + " is writable");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
