package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.tune.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Lets PostgreSQL itself judge a candidate configuration before pgbox writes it, reloads or stops the
 * server, so a bad value is refused while the old configuration and the running server stay as they
 * are.
 *
 * <p>The candidate files go into a throw-away folder laid out like a data dir (the config files, a
 * copy of PG_VERSION and global/pg_control, links to the TLS files), and {@code postgres -C
 * shared_memory_size -D <copy>} runs as the server's OS user. Because shared_memory_size is computed
 * at run time, postgres goes through nearly all of its start: it parses every file with its own
 * parser and ranges, checks the rules it only checks at start (superuser_reserved_connections below
 * max_connections, wal_level against archiving and WAL senders, the TLS files, the preload libraries,
 * the limit on all backends) and computes the shared memory it would ask for, then exits before
 * allocating anything. The copy has its own lock file, so the running server is not disturbed.
 * pg_hba.conf and pg_ident.conf are parsed only by a live postmaster; on a running server they are
 * checked through pg_hba_file_rules and pg_ident_file_mappings.
 */
public final class ConfigGuard {
    /** Every file of a server's configuration, in the order PostgreSQL reads the first three. */
    public static final List<String> FILES = List.of("postgresql.conf", Layout.CONF_FILE, "postgresql.auto.conf",
            "pg_hba.conf", "pg_ident.conf");
    private static final Pattern LEVEL = Pattern.compile("^.*?\\b(?:LOG|FATAL|ERROR|PANIC|WARNING|DETAIL|HINT):\\s+(.*)$");
    private static final Pattern PARAMETER = Pattern.compile("parameter \"([A-Za-z0-9_.]+)\"");
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*=?\\s*\\S");

    private ConfigGuard() {
    }

    /** The configuration files of a data dir as they were, so a failed restart can put them back. */
    public record Snapshot(Path dataDir, String osUser, Map<String, String> files) {
        /** Writes every file back as it was (a file that did not exist is removed). */
        void restore() {
            for (String name : FILES) {
                Path file = dataDir.resolve(name);
                String text = files.get(name);
                if (text == null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw new PgboxException(ErrorKind.PERMISSION, "cannot remove " + file, e.toString(), "check its mode");
                    }
                } else if (!OwnedFiles.read(file).equals(text)) {
                    OwnedFiles.write(file, text, osUser, "rw-------");
                }
            }
        }
    }

    static Snapshot snapshot(Path dataDir, String osUser) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : FILES) {
            if (Files.exists(dataDir.resolve(name))) {
                files.put(name, OwnedFiles.read(dataDir.resolve(name)));
            }
        }
        return new Snapshot(dataDir, osUser, files);
    }

    /**
     * Judges a candidate configuration for the data dir of {@code at}: pgbox's own bounds first (memory
     * against RAM), then PostgreSQL on a copy, then, when {@code live} is the running server, the
     * candidate pg_hba.conf and pg_ident.conf through that server's parser. Changes nothing; throws a
     * CONFIG error that quotes PostgreSQL and names the fix.
     *
     * @param candidate file name to new text; files not in it are judged as they are in the data dir
     */
    static void check(Settings settings, Layout at, Map<String, String> candidate, Machine machine, AdminSql live) {
        settings.checkMemory(machine.ramBytes(), machine.ramSource());
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : FILES) {
            String text = candidate.containsKey(name) ? candidate.get(name) : Files.exists(at.dataDir().resolve(name))
                    ? OwnedFiles.read(at.dataDir().resolve(name)) : null;
            if (text != null) {
                files.put(name, text);
            }
        }
        long sharedMb = askPostgres(settings, at, files, live != null);
        if (sharedMb > 0 && sharedMb * Size.MB >= machine.ramBytes()) {
            throw new PgboxException(ErrorKind.CONFIG, "the new configuration needs " + sharedMb + "MB of shared memory, more than the "
                    + Size.human(machine.ramBytes()) + " of RAM (" + machine.ramSource() + ")" + keptNote(live != null),
                    "PostgreSQL computes shared_memory_size = " + sharedMb + "MB for it (shared_buffers is most of it) and allocates "
                            + "it whole at start, which fails or leaves nothing for the OS",
                    fixes(settings, at, files, List.of("shared_buffers")));
        }
        if (live != null) {
            checkLiveParsers(settings, at, candidate, live);
        }
    }

    /**
     * Runs postgres -C on a copy; returns shared_memory_size in MB (0 when the data dir is not a whole
     * cluster yet and only the files could be checked).
     */
    private static long askPostgres(Settings settings, Layout at, Map<String, String> files, boolean live) {
        Path data = at.dataDir();
        boolean cluster = Files.exists(data.resolve("PG_VERSION")) && Files.exists(data.resolve("global/pg_control"));
        Path copy = null;
        try {
            copy = Files.createTempDirectory("pgbox-confcheck-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            OwnedFiles.chown(copy, at.osUser());
            for (Map.Entry<String, String> f : files.entrySet()) {
                OwnedFiles.write(copy.resolve(f.getKey()), f.getValue(), at.osUser(), "rw-------");
            }
            copyIncludedFiles(data, copy, files.keySet(), at.osUser());
            if (cluster) {
                copyOwned(data.resolve("PG_VERSION"), copy.resolve("PG_VERSION"), at.osUser());
                OwnedFiles.directory(copy.resolve("global"), at.osUser(), "rwx------");
            }
            for (String tls : List.of("server.crt", "server.key")) {
                if (Files.exists(data.resolve(tls))) {
                    Files.createSymbolicLink(copy.resolve(tls), data.resolve(tls));
                }
            }
            ProcessResult r = null;
            // pg_control is rewritten in place by a running server: a torn copy fails its checksum, so copy again
            for (int attempt = 0; attempt < 3; attempt++) {
                if (cluster) {
                    copyOwned(data.resolve("global/pg_control"), copy.resolve("global/pg_control"), at.osUser());
                }
                r = ProcessRunner.run(Command.of(at.pg().bin("postgres"), "-C", cluster ? "shared_memory_size" : "max_connections",
                                "-D", copy.toString())
                        .runAs(at.osUser()).env("LC_ALL", "C.UTF-8").timeout(Duration.ofSeconds(60)).build());
                if (r.ok() || !r.stderr().contains("control file")) {
                    break;
                }
            }
            if (!r.ok()) {
                List<String> said = postgresLines(r.stderr() + "\n" + r.stdout(), copy, data);
                if (said.isEmpty()) {
                    said = List.of("postgres -C exited " + r.exitCode() + " without a message");
                }
                throw new PgboxException(ErrorKind.CONFIG, "PostgreSQL refuses the new configuration" + keptNote(live),
                        String.join("\n", said), fixes(settings, at, files, said));
            }
            String out = r.stdout().strip();
            return cluster && out.matches("\\d+") ? Long.parseLong(out) : 0;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot prepare a copy of the configuration for PostgreSQL to check",
                    e.toString(), "check that " + System.getProperty("java.io.tmpdir") + " is writable");
        } finally {
            if (copy != null) {
                OwnedFiles.deleteTree(copy);
            }
        }
    }

    /** Other *.conf files beside postgresql.conf, for include directives a user added by hand. */
    private static void copyIncludedFiles(Path data, Path copy, Set<String> done, String osUser) throws IOException {
        try (Stream<Path> s = Files.list(data)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".conf")).toList()) {
                if (!done.contains(p.getFileName().toString())) {
                    copyOwned(p, copy.resolve(p.getFileName()), osUser);
                }
            }
        }
    }

    private static void copyOwned(Path from, Path to, String osUser) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
        OwnedFiles.chown(to, osUser);
    }

    /**
     * PostgreSQL's own sentences from its stderr, without timestamps and PIDs, with the copy's path
     * replaced by the real data dir so the message names the file to fix.
     */
    static List<String> postgresLines(String stderr, Path copy, Path data) {
        Set<String> lines = new LinkedHashSet<>();
        for (String raw : stderr.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = LEVEL.matcher(line);
            String text = m.matches() ? m.group(1) : line.replaceFirst("^postgres:\\s*", "");
            if (copy != null) {
                text = text.replace(copy.toString(), data.toString());
            }
            lines.add(text);
        }
        return List.copyOf(lines);
    }

    /** Fix lines for every parameter PostgreSQL's words mention: which variable or file to change. */
    static String fixes(Settings settings, Layout at, Map<String, String> files, List<String> said) {
        Map<String, String> setIn = new LinkedHashMap<>();
        for (String name : List.of("postgresql.conf", Layout.CONF_FILE, "postgresql.auto.conf")) {
            String text = files.get(name);
            if (text == null) {
                continue;
            }
            for (String line : text.split("\n")) {
                Matcher m = ASSIGNMENT.matcher(line);
                if (m.find() && !m.group(1).startsWith("include")) {
                    setIn.put(m.group(1).toLowerCase(java.util.Locale.ROOT), name); // later files win, as in PostgreSQL
                }
            }
        }
        List<String> named = new ArrayList<>();
        for (String line : said) {
            Matcher m = PARAMETER.matcher(line);
            while (m.find()) {
                named.add(m.group(1));
            }
            if (line.startsWith("could not access file")) {
                named.add("shared_preload_libraries"); // a preload library that is not installed: the line names no parameter
            }
            for (String word : line.split("[^A-Za-z0-9_.]+")) {
                if (setIn.containsKey(word) || Setting.byGuc(word).isPresent()) {
                    named.add(word);
                }
            }
        }
        List<String> fixes = new ArrayList<>();
        for (String guc : new LinkedHashSet<>(named)) {
            String fix = fixFor(settings, at, guc, setIn.get(guc));
            if (fix != null && !fixes.contains(fix)) {
                fixes.add(fix);
            }
        }
        return fixes.isEmpty() ? "correct the file PostgreSQL names above, then run the command again"
                : String.join("; or ", fixes) + ", then run the command again";
    }

    private static String fixFor(Settings settings, Layout at, String guc, String file) {
        var setting = Setting.byGuc(guc);
        if ("postgresql.auto.conf".equals(file)) {
            return "remove " + guc + " from " + at.dataDir().resolve(file) + " (it was set with ALTER SYSTEM; as the superuser run "
                    + "ALTER SYSTEM RESET " + guc + ")";
        }
        if ("postgresql.conf".equals(file)) {
            return "correct or remove the " + guc + " line in " + at.dataDir().resolve(file);
        }
        if (setting.isEmpty()) {
            return null;
        }
        Setting s = setting.get();
        return settings.explicit(s) ? "change " + s.name() + "=" + settings.get(s) + " in " + where(settings.source(s))
                : "set " + s.name() + " in " + Settings.DEV_FILE;
    }

    private static String where(String source) {
        return Settings.ENV_SOURCE.equals(source) ? "the environment" : source;
    }

    private static String keptNote(boolean live) {
        return live ? "; nothing was changed and the server keeps running with its current configuration"
                : "; nothing was changed";
    }

    /**
     * pg_hba.conf and pg_ident.conf as the running postmaster would parse them: each changed file is
     * put in place only while its view is read (no reload happens), then the old text goes back.
     */
    private static void checkLiveParsers(Settings settings, Layout at, Map<String, String> candidate, AdminSql live) {
        Map<String, String> views = Map.of("pg_hba.conf", "pg_hba_file_rules", "pg_ident.conf", "pg_ident_file_mappings");
        for (Map.Entry<String, String> v : views.entrySet()) {
            Path file = at.dataDir().resolve(v.getKey());
            String text = candidate.get(v.getKey());
            String old = OwnedFiles.read(file);
            if (text == null || text.equals(old)) {
                continue;
            }
            List<List<String>> errors;
            OwnedFiles.write(file, text, at.osUser(), "rw-------");
            try {
                errors = live.rows("postgres", "SELECT line_number, error FROM " + v.getValue() + " WHERE error IS NOT NULL ORDER BY 1");
            } finally {
                OwnedFiles.write(file, old, at.osUser(), "rw-------");
            }
            if (!errors.isEmpty()) {
                throw new PgboxException(ErrorKind.CONFIG, "PostgreSQL refuses the new " + v.getKey() + keptNote(true),
                        String.join("\n", errors.stream().map(e -> v.getKey() + " line " + e.get(0) + ": " + e.get(1)).toList()),
                        v.getKey().equals("pg_hba.conf") ? "correct POSTGRES_ALLOWED_CIDRS in " + where(settings.source(Setting.POSTGRES_ALLOWED_CIDRS))
                                : "check PGBOX_OS_USER");
            }
        }
    }

    /**
     * Before a restart stops anything: judges the configuration the restart would write (and that the
     * new port is free when it changes), and returns the files as they are, to put back if the server
     * then fails to start with the new ones.
     */
    public static Snapshot beforeRestart(Server server) {
        Layout l = server.layout();
        Snapshot now = snapshot(l.dataDir(), l.osUser());
        server.checkConfig(l.dataDir(), true);
        int port = server.port();
        String running = server.admin().value("postgres", "SELECT current_setting('port')");
        if (!running.equals(Integer.toString(port))) {
            Server.checkPortFree(server.settings());
        }
        return now;
    }

    /**
     * After a restart's start failed: puts {@code previous} back and starts the server with it, so a
     * restart never leaves the server down. Returns the new postmaster's PID.
     */
    public static long startPrevious(Server server, Snapshot previous) {
        Layout l = server.layout();
        previous.restore();
        Duration timeout = Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT));
        if (!PgCtl.running(l, l.dataDir())) {
            server.launch(timeout, true);
        }
        return PgCtl.pid(l.dataDir()).orElse(-1);
    }
}
