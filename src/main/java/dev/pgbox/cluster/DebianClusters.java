package dev.pgbox.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.OsUser;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Clusters made by Debian's postgresql-common (pg_createcluster, listed by pg_lsclusters) that sit on
 * pgbox's port. On a VM where apt starts services, installing postgresql-15 creates and starts
 * "15/main" on 5432, so pgbox's first start would find the port taken. An empty ("pristine")
 * cluster is stopped and kept from starting at boot; a cluster that holds anything is never touched.
 */
public final class DebianClusters {
    private static final String PG_LSCLUSTERS = "/usr/bin/pg_lsclusters";
    private static final String PG_CTLCLUSTER = "/usr/bin/pg_ctlcluster";
    private static final String SYSTEMCTL = "/usr/bin/systemctl";
    /** Objects with an OID at or above this were created after initdb (PostgreSQL's FirstNormalObjectId). */
    static final int FIRST_USER_OID = 16384;
    private static final List<String> STOCK_DATABASES = List.of("postgres", "template0", "template1");
    /** Databases that accept connections in a stock cluster; template0 does not. */
    private static final List<String> CONNECTABLE = List.of("postgres", "template1");

    private DebianClusters() {
    }

    /** One line of pg_lsclusters. */
    public record Cluster(int version, String name, int port, boolean online, String startMode, int ownerUid,
            Path configDir, Path dataDir, Path socketDir) {
        /** "15/main", the way Debian names clusters. */
        public String id() {
            return version + "/" + name;
        }

        /** Starts at boot (start.conf "auto"). */
        public boolean startsAtBoot() {
            return "auto".equals(startMode);
        }
    }

    /** What a cluster holds beyond what initdb made. Empty lists and zero objects = pristine. */
    public record Contents(List<String> databases, List<String> roles, List<String> tablespaces, long userObjects) {
        public boolean pristine() {
            return databases.isEmpty() && roles.isEmpty() && tablespaces.isEmpty() && userObjects == 0;
        }

        /** "databases: shop; roles: app; 3 objects in postgres/template1", for messages. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            if (!databases.isEmpty()) {
                parts.add("databases: " + String.join(", ", databases));
            }
            if (!roles.isEmpty()) {
                parts.add("roles: " + String.join(", ", roles));
            }
            if (!tablespaces.isEmpty()) {
                parts.add("tablespaces: " + String.join(", ", tablespaces));
            }
            if (userObjects > 0) {
                parts.add(userObjects + " user objects (tables, indexes, types, functions, ...) in postgres/template1");
            }
            return parts.isEmpty() ? "nothing" : String.join("; ", parts);
        }
    }

    /**
     * Makes way for pgbox's server on POSTGRES_PORT: retires a pristine Debian cluster there (one
     * progress line), refuses with PORT_IN_USE when an online one holds data, and warns when a
     * stopped one with data would take the port at the next boot. Does nothing without postgresql-common.
     */
    public static void clearPort(Settings settings, Progress progress) {
        int port = settings.integer(Setting.POSTGRES_PORT);
        for (Cluster c : list()) {
            if (c.port() != port || !(c.online() || c.startsAtBoot())) {
                continue;
            }
            Optional<Contents> contents = c.online() ? inspectOnline(c) : inspectStopped(c);
            if (contents.isPresent() && contents.get().pristine()) {
                retire(c);
                progress.step((c.online() ? "stopped" : "found") + " Debian's empty PostgreSQL cluster " + c.id() + " on port " + port
                        + " (made by the postgresql-" + c.version() + " package) and set it not to start at boot;"
                        + " remove it for good with 'pg_dropcluster " + c.version() + " " + c.name() + "'");
            } else if (c.online()) {
                throw holdsData(c, contents, settings);
            } else {
                progress.step("warning: Debian's PostgreSQL cluster " + c.id() + " is stopped but set to start at boot on port " + port
                        + " and holds " + contents.map(Contents::describe).orElse("data pgbox cannot inspect")
                        + "; after a reboot it will take the port. Fix: set another POSTGRES_PORT in " + Settings.DEV_FILE
                        + ", or set it to start manually (echo manual > " + c.configDir().resolve("start.conf") + ")");
            }
        }
    }

    private static PgboxException holdsData(Cluster c, Optional<Contents> contents, Settings settings) {
        int port = c.port();
        String dump = "/var/lib/postgresql/" + c.version() + "-" + c.name() + ".sql";
        return new PgboxException(ErrorKind.PORT_IN_USE,
                "cannot start on port " + port + ": Debian's PostgreSQL cluster " + c.id() + " runs there and holds "
                        + contents.map(Contents::describe).orElse("data pgbox cannot inspect"),
                "pg_lsclusters lists " + c.id() + " (data in " + c.dataDir() + "); pgbox never stops a cluster with data in it",
                "either set another POSTGRES_PORT in " + Settings.DEV_FILE + " (e.g. POSTGRES_PORT=" + (port + 1) + "),\n"
                        + "or, if " + c.id() + " is no longer needed, back it up and retire it (as root):\n"
                        + "  runuser -u postgres -- pg_dumpall -h " + c.socketDir() + " -p " + port + " -f " + dump + "\n"
                        + "  pg_dropcluster --stop " + c.version() + " " + c.name());
    }

    /** Every Debian cluster, or none when postgresql-common is not installed. */
    public static List<Cluster> list() {
        if (!Files.isExecutable(Path.of(PG_LSCLUSTERS))) {
            return List.of();
        }
        ProcessResult r = ProcessRunner.run(Command.of(PG_LSCLUSTERS, "--json").timeout(Duration.ofSeconds(30)).build());
        if (!r.ok()) {
            return List.of();
        }
        return parse(r.stdout());
    }

    /** Parses {@code pg_lsclusters --json} (postgresql-common 248 in Debian 12). */
    static List<Cluster> parse(String json) {
        if (json.isBlank()) {
            return List.of();
        }
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            List<Cluster> out = new ArrayList<>();
            for (JsonNode n : root) {
                String port = n.path("port").asText("");
                if (!port.matches("\\d+")) {
                    continue;
                }
                out.add(new Cluster(n.path("version").asInt(), n.path("cluster").asText(), Integer.parseInt(port),
                        n.path("running").asInt() != 0, n.path("start").asText(""), n.path("owneruid").asInt(-1),
                        Path.of(n.path("configdir").asText()), Path.of(n.path("pgdata").asText()),
                        Path.of(n.path("socketdir").asText("/var/run/postgresql"))));
            }
            return out;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot read pg_lsclusters' output", e.getMessage(),
                    "run 'pg_lsclusters --json' to see what it prints");
        }
    }

    /**
     * One query listing what initdb did not make: extra databases, roles other than the bootstrap
     * superuser (OID 10, "postgres"), tablespaces. Output lines are "kind|name".
     */
    static final String CATALOG_QUERY = "SELECT 'database', datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')"
            + " UNION ALL SELECT 'role', rolname FROM pg_roles WHERE oid <> 10 AND oid >= " + FIRST_USER_OID
            + " UNION ALL SELECT 'tablespace', spcname FROM pg_tablespace WHERE oid >= " + FIRST_USER_OID;

    /** Counts objects a user made in the connected database (tables, views, sequences, functions, schemas, types, ...). */
    static final String OBJECTS_QUERY = "SELECT (SELECT count(*) FROM pg_class WHERE oid >= " + FIRST_USER_OID + ")"
            + " + (SELECT count(*) FROM pg_namespace WHERE oid >= " + FIRST_USER_OID + ")"
            + " + (SELECT count(*) FROM pg_proc WHERE oid >= " + FIRST_USER_OID + ")"
            + " + (SELECT count(*) FROM pg_type WHERE oid >= " + FIRST_USER_OID + ")"
            + " + (SELECT count(*) FROM pg_extension WHERE oid >= " + FIRST_USER_OID + ")"
            + " + (SELECT count(*) FROM pg_largeobject_metadata)";

    /** Builds the contents from CATALOG_QUERY's lines and OBJECTS_QUERY's counts (one per database). */
    static Contents contents(String catalogLines, List<String> objectCounts) {
        List<String> dbs = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        List<String> spaces = new ArrayList<>();
        for (String line : catalogLines.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            int bar = line.indexOf('|');
            if (bar < 0) {
                continue;
            }
            String name = line.substring(bar + 1);
            switch (line.substring(0, bar)) {
                case "database" -> dbs.add(name);
                case "role" -> roles.add(name);
                case "tablespace" -> spaces.add(name);
                default -> {
                    // not ours
                }
            }
        }
        long objects = objectCounts.stream().map(String::strip).filter(v -> v.matches("\\d+")).mapToLong(Long::parseLong).sum();
        return new Contents(dbs, roles, spaces, objects);
    }

    /** Asks the running cluster over its own socket as its owner (Debian's hba lets the owner in by peer). */
    static Optional<Contents> inspectOnline(Cluster c) {
        return inspect(c, c.socketDir(), c.port());
    }

    private static Optional<Contents> inspect(Cluster c, Path socketDir, int port) {
        Optional<String> owner = OsUser.byUid(c.ownerUid()).map(OsUser.Account::name);
        Path psql = Path.of("/usr/lib/postgresql/" + c.version() + "/bin/psql");
        if (owner.isEmpty() || !Files.isExecutable(psql)) {
            return Optional.empty();
        }
        Optional<String> catalog = psql(psql, owner.get(), socketDir, port, "postgres", CATALOG_QUERY);
        if (catalog.isEmpty()) {
            return Optional.empty();
        }
        List<String> counts = new ArrayList<>();
        for (String db : CONNECTABLE) {
            Optional<String> n = psql(psql, owner.get(), socketDir, port, db, OBJECTS_QUERY);
            if (n.isEmpty()) {
                return Optional.empty();
            }
            counts.add(n.get());
        }
        return Optional.of(contents(catalog.get(), counts));
    }

    private static Optional<String> psql(Path psql, String owner, Path socketDir, int port, String db, String sql) {
        ProcessResult r = ProcessRunner.run(Command.of(psql.toString(), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", socketDir.toString(), "-p", Integer.toString(port), "-d", db, "-c", sql)
                .runAs(owner).timeout(Duration.ofSeconds(30)).build());
        return r.ok() ? Optional.of(r.stdout()) : Optional.empty();
    }

    /**
     * A stopped cluster can only be asked by starting it: briefly, with no TCP listener and its socket
     * in a private temp folder, so nothing can connect; stopped again right after.
     */
    static Optional<Contents> inspectStopped(Cluster c) {
        Optional<String> owner = OsUser.byUid(c.ownerUid()).map(OsUser.Account::name);
        Path pgCtl = Path.of("/usr/lib/postgresql/" + c.version() + "/bin/pg_ctl");
        if (owner.isEmpty() || !Files.isExecutable(pgCtl)) {
            return Optional.empty();
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("pgbox-debian-peek-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setOwner(tmp, tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner.get()));
        } catch (IOException e) {
            return Optional.empty();
        }
        // options pg_ctl passes to postgres; the values contain no spaces or quotes
        String opts = "-c config_file=" + c.configDir().resolve("postgresql.conf") + " -c listen_addresses= -c unix_socket_directories=" + tmp
                + " -c external_pid_file=" + tmp.resolve("peek.pid") + " -c logging_collector=off";
        try {
            ProcessResult started = ProcessRunner.run(Command.of(pgCtl.toString(), "start", "-w", "-t", "60", "-D", c.dataDir().toString(),
                    "-l", tmp.resolve("peek.log").toString(), "-o", opts).runAs(owner.get()).timeout(Duration.ofSeconds(90)).build());
            if (!started.ok()) {
                return Optional.empty();
            }
            try {
                return inspect(c, tmp, c.port());
            } finally {
                ProcessRunner.run(Command.of(pgCtl.toString(), "stop", "-w", "-t", "60", "-m", "fast", "-D", c.dataDir().toString())
                        .runAs(owner.get()).timeout(Duration.ofSeconds(90)).build());
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** Stops the cluster if it runs, sets start.conf to manual and disables its unit where systemd is PID 1. */
    private static void retire(Cluster c) {
        if (c.online()) {
            ProcessRunner.runChecked(Command.of(PG_CTLCLUSTER, Integer.toString(c.version()), c.name(), "stop")
                    .timeout(Duration.ofMinutes(2)).build(), "cannot stop Debian's cluster " + c.id(),
                    "stop it by hand: pg_ctlcluster " + c.version() + " " + c.name() + " stop");
        }
        Path startConf = c.configDir().resolve("start.conf");
        try {
            String old = Files.exists(startConf) ? Files.readString(startConf) : "";
            Files.writeString(startConf, manualStartConf(old));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write " + startConf, e.getMessage(),
                    "run pgbox as root, or run: echo manual > " + startConf);
        }
        if (systemdRuns() && Files.isExecutable(Path.of(SYSTEMCTL))) {
            // the generator reads start.conf at boot; disabling also covers a unit someone enabled by hand
            ProcessRunner.run(Command.of(SYSTEMCTL, "disable", "--quiet", "postgresql@" + c.version() + "-" + c.name())
                    .timeout(Duration.ofSeconds(30)).build());
            ProcessRunner.run(Command.of(SYSTEMCTL, "daemon-reload").timeout(Duration.ofSeconds(60)).build());
        }
    }

    /** start.conf with its one setting line replaced by "manual", Debian's comments kept. */
    static String manualStartConf(String old) {
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (String line : old.lines().toList()) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                if (!replaced) {
                    out.add("manual");
                    replaced = true;
                }
                continue;
            }
            out.add(line);
        }
        if (!replaced) {
            out.add("manual");
        }
        return String.join("\n", out) + "\n";
    }

    /** True when systemd is PID 1 (sd_booted's test). */
    static boolean systemdRuns() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }
}
