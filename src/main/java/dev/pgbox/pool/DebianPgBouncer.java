package dev.pgbox.pool;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Debian's own PgBouncer service. Where systemd is PID 1, installing the pgbouncer package enables and
 * starts pgbouncer.service on localhost:6432 with /etc/pgbouncer/pgbouncer.ini. pgbox runs its own
 * PgBouncer per project, so Debian's is stopped and kept from starting at boot, but only while its
 * configuration is the package's untouched default (its MD5 sum is the one dpkg recorded for the conffile):
 * an edited one is someone's PgBouncer, never touched. The port is then checked: anything else on it is
 * refused with what holds it and how to fix it.
 */
public final class DebianPgBouncer {
    static final Path CONF = Path.of("/etc/pgbouncer/pgbouncer.ini");
    static final String UNIT = "pgbouncer.service";
    private static final String SYSTEMCTL = "/usr/bin/systemctl";
    private static final String DPKG_QUERY = "/usr/bin/dpkg-query";

    private DebianPgBouncer() {
    }

    /**
     * Makes way for pgbox's PgBouncer on PGBOUNCER_PORT (call it while pgbox's own is not running): retires
     * Debian's service when its configuration is pristine, then refuses (PORT_IN_USE) when the port is still taken.
     */
    public static List<String> clearPort(Settings s) {
        List<String> done = new ArrayList<>();
        int port = s.integer(Setting.PGBOUNCER_PORT);
        boolean systemd = Files.isDirectory(Path.of("/run/systemd/system")) && Files.isExecutable(Path.of(SYSTEMCTL));
        boolean distroRuns = systemd && systemctl("is-active", "--quiet", UNIT).ok();
        boolean distroEnabled = systemd && systemctl("is-enabled", "--quiet", UNIT).ok();
        if ((distroRuns || distroEnabled) && pristine()) {
            ProcessResult r = systemctl("disable", "--now", UNIT);
            if (!r.ok()) {
                throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot stop Debian's " + UNIT, r.tail(3),
                        "run 'systemctl disable --now " + UNIT + "' as root, then 'pgbox start' again");
            }
            done.add("stopped and disabled Debian's " + UNIT + " (the package's default configuration, started by apt; "
                    + "pgbox runs its own PgBouncer per project)");
            distroRuns = false;
        }
        if (taken(port)) {
            String holder = distroRuns ? "Debian's " + UNIT + " (its " + CONF + " was edited, so pgbox leaves it alone)"
                    : "another process";
            throw new PgboxException(ErrorKind.PORT_IN_USE, "cannot start PgBouncer on 127.0.0.1:" + port + ": the port is taken",
                    holder + " listens there (see 'ss -ltnp sport = :" + port + "')",
                    (distroRuns ? "stop it if it is not needed ('systemctl disable --now " + UNIT + "'), or " : "")
                            + "set another PGBOUNCER_PORT in " + Settings.DEV_FILE + " (e.g. PGBOUNCER_PORT=" + (port + 1) + ")");
        }
        return done;
    }

    /** Whether the package's configuration file is as it shipped (or gone): its MD5 equals dpkg's record of the conffile. */
    static boolean pristine() {
        if (!Files.exists(CONF)) {
            return true;
        }
        Optional<String> shipped = conffileMd5();
        return shipped.isPresent() && shipped.get().equals(md5(CONF));
    }

    /** The MD5 dpkg recorded for /etc/pgbouncer/pgbouncer.ini when the package was installed. */
    static Optional<String> conffileMd5() {
        ProcessResult r = ProcessRunner.run(Command.of(DPKG_QUERY, "-W", "-f=${Conffiles}\\n", "pgbouncer").timeout(Duration.ofSeconds(30)).build());
        return r.ok() ? parseConffiles(r.stdout(), CONF.toString()) : Optional.empty();
    }

    /** The MD5 of {@code file} in dpkg's Conffiles field (lines "path md5 [obsolete]"). */
    static Optional<String> parseConffiles(String field, String file) {
        for (String line : field.lines().toList()) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 2 && parts[0].equals(file)) {
                return Optional.of(parts[1]);
            }
        }
        return Optional.empty();
    }

    static String md5(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            return "";
        }
    }

    /** Whether a listener holds 127.0.0.1:{@code port} (binding it fails). */
    static boolean taken(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return !socket.isBound();
        } catch (IOException e) {
            return true;
        }
    }

    private static ProcessResult systemctl(String... args) {
        return ProcessRunner.run(Command.of(SYSTEMCTL, args).timeout(Duration.ofSeconds(60)).build());
    }
}
