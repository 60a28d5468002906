package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.OsUser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The checks that can refuse a start, run before anything is changed: the OS user exists and is not
 * root, it owns the data dir (or the data dir is new or empty), and the port is free.
 */
public final class Preflight {
    private Preflight() {
    }

    /** The OS user and the data dir, before a start touches anything; says so when state moved to the fallback. */
    public static void beforeStart(Layout layout, Progress progress) {
        osUser(layout);
        if (layout.stateFallback()) {
            progress.step("the '" + layout.osUser() + "' OS user cannot reach " + layout.projectDir()
                    + "; keeping server state in " + layout.stateDir() + " instead");
        }
        if (layout.initialized()) {
            owner(layout.dataDir(), layout.osUser());
        } else {
            freshDataDir(layout);
        }
    }

    static void osUser(Layout l) {
        if (OsUser.byName(l.osUser()).isEmpty()) {
            throw new PgboxException(ErrorKind.PERMISSION, "the OS user '" + l.osUser() + "' does not exist",
                    "PostgreSQL refuses to run as root, so pgbox runs it as '" + l.osUser() + "'",
                    "install PostgreSQL ('pgbox install' creates the postgres user), or set PGBOX_OS_USER to an existing user");
        }
        if ("root".equals(l.osUser())) {
            throw new PgboxException(ErrorKind.PERMISSION, "PGBOX_OS_USER is root", "PostgreSQL refuses to run as root",
                    "remove PGBOX_OS_USER so pgbox uses the postgres OS user");
        }
    }

    static void owner(Path dir, String osUser) {
        try {
            String owner = Files.getOwner(dir).getName();
            if (!owner.equals(osUser)) {
                throw new PgboxException(ErrorKind.PERMISSION, "the data dir " + dir + " is owned by '" + owner + "'",
                        "pgbox runs PostgreSQL as '" + osUser + "', which must own its data dir",
                        "chown -R " + osUser + ": " + dir + "   (or set PGBOX_OS_USER=" + owner + ")");
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read the owner of " + dir, e.toString(), "check the path");
        }
    }

    static void freshDataDir(Layout l) {
        Path data = l.dataDir();
        if (!Files.exists(data)) {
            return;
        }
        owner(data, l.osUser());
        try (Stream<Path> s = Files.list(data)) {
            if (s.findAny().isPresent()) {
                throw new PgboxException(ErrorKind.CONFIG, "the data dir " + data + " is not empty and holds no cluster",
                        "there is no PG_VERSION file in it, so it is not a PostgreSQL data directory",
                        "move its files away, or set PGBOX_DATA_DIR to an empty or new folder");
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read " + data, e.toString(), "check its mode");
        }
    }

    /** Throws PORT_IN_USE unless the address and port the settings name can be bound now. */
    public static void portFree(Settings s) {
        String host = ServerConf.listenAddress(s.get(Setting.POSTGRES_HOST));
        int port = s.integer(Setting.POSTGRES_PORT);
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PORT_IN_USE, "cannot start on port " + port + ": " + host + ":" + port + " is in use",
                    e.getMessage() + " (another process listens there)",
                    "stop the other server on " + port + ", or set POSTGRES_PORT in " + Settings.DEV_FILE);
        }
    }
}
