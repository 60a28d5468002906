package dev.pgbox.cluster;

import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.sql.AdminSql;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One PostgreSQL instance pgbox manages: where it listens (address, port, socket folder), where its
 * data and logs are, the OS user it runs as, its major version, and what starts and stops it. Built
 * here and nowhere else: {@link #primary} from the settings and the project layout, {@link #scratch}
 * for a private restored copy. Every feature reaches a server through an Instance: its SQL door
 * ({@link #admin}) and its client programs ({@link #client}); no feature assembles psql's argv.
 *
 * @param name what the instance is, in messages ("primary", "scratch")
 * @param host the TCP address clients use, or null when it listens on its socket only
 * @param layout its folders (data, socket/run, log) and OS user
 */
public record Instance(String name, String host, int port, Layout layout, Supervisor supervisor) {

    /** The project's server, as the settings describe it. */
    public static Instance primary(Settings s, Layout l) {
        String host = s.get(Setting.POSTGRES_HOST).equals("localhost") ? "127.0.0.1" : s.get(Setting.POSTGRES_HOST);
        return new Instance("primary", host, s.integer(Setting.POSTGRES_PORT), l, Supervisor.of(s, l));
    }

    /**
     * A private copy in {@code folder} (data in folder/data, socket and log in folder itself), on
     * {@code port} over its socket only, run by pg_ctl.
     */
    public static Instance scratch(Layout live, Path folder, int port) {
        Layout l = live.withFolders(folder.resolve("data"), folder, folder);
        return new Instance("scratch", null, port, l, new PgCtlSupervisor(l));
    }

    public Path dataDir() {
        return layout.dataDir();
    }

    public Path socketDir() {
        return layout.runDir();
    }

    public Path logDir() {
        return layout.logDir();
    }

    public String osUser() {
        return layout.osUser();
    }

    public PgInstallation pg() {
        return layout.pg();
    }

    public int major() {
        return layout.pg().major();
    }

    /** The superuser's SQL door: psql over the socket, peer-authenticated as the OS user. */
    public AdminSql admin() {
        return new AdminSql(new AdminSql.Endpoint(layout.pg().bin("psql"), socketDir(), port, osUser()));
    }

    /**
     * A client program of this instance's version (pg_dump, pg_restore, pg_dumpall, psql) connected as
     * the superuser over the socket, run as the OS user; {@code args} follow the connection options.
     */
    public Command.Builder client(String program, String... args) {
        List<String> argv = new ArrayList<>(List.of("-h", socketDir().toString(), "-p", Integer.toString(port),
                "-U", AdminSql.SUPERUSER));
        argv.addAll(List.of(args));
        return Command.of(layout.pg().bin(program)).args(argv).runAs(osUser());
    }

    /** Whether a live postmaster serves this instance's data dir. */
    public boolean running() {
        return layout.initialized() && PgCtl.running(layout, layout.dataDir());
    }

    /** The certificate clients pin (sslrootcert) to verify this instance over TLS. */
    public Path clientCertificate() {
        return socketDir().resolve("server.crt");
    }
}
