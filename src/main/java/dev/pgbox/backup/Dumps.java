package dev.pgbox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Size;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.exec.Session;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Logical backups: pg_dump per database into a timestamped folder, role definitions without
 * passwords (pg_dumpall --globals-only), and a manifest.json with each file's size and SHA-256, the
 * server version and every table's row count. The counts and the dump come from one snapshot
 * (a REPEATABLE READ transaction whose snapshot pg_dump reuses), so a restore can be checked exactly.
 */
public final class Dumps {
    public static final String MANIFEST = "manifest.json";
    public static final List<String> FORMATS = List.of("custom", "tar", "directory", "plain");
    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Server server;

    public Dumps(Server server) {
        this.server = server;
    }

    /**
     * The folder dump sets go to: BACKUP_DIR or the state dir's backup/dumps. An existing BACKUP_DIR of
     * the user's gets pgbox's own subfolder in it (see {@link OwnedFiles#placeIn}).
     */
    public Path home() {
        var s = server.settings();
        return s.isSet(Setting.BACKUP_DIR) ? OwnedFiles.placeIn(Path.of(s.get(Setting.BACKUP_DIR)), s.projectDir())
                : server.layout().backupDir().resolve("dumps");
    }

    /**
     * Creates a new, empty dump set folder in {@code base}: {@code prefix} plus the UTC time to the
     * millisecond, with -2, -3, ... when another dump took that name first. The name is claimed with an
     * atomic mkdir, so two dumps never share a folder; names sort in time order.
     */
    static Path newSetFolder(Path base, String prefix, String osUser) {
        String stem = prefix + FOLDER.format(Instant.now());
        for (int n = 1; ; n++) {
            Path folder = base.resolve(n == 1 ? stem : stem + "-" + n);
            if (OwnedFiles.createNew(folder, osUser, "rwxr-x---")) {
                return folder;
            }
            // taken by another dump in the same millisecond: try the next suffix
        }
    }

    static String fileName(String db, String format) {
        return switch (format) {
            case "custom" -> db + ".dump";
            case "tar" -> db + ".tar";
            case "plain" -> db + ".sql";
            default -> db;
        };
    }

    /** Dumps these databases into a new folder under {@code dest} (or {@link #home()}); returns the folder. */
    public Path dump(List<String> databases, String format, Path dest, String label, Progress progress) {
        if (!FORMATS.contains(format)) {
            throw new PgboxException(ErrorKind.USAGE, "unknown dump format '" + format + "'", "pg_dump writes custom, tar, directory or plain",
                    "e.g. --format=custom (the default)");
        }
        server.requireRunning("dump");
        Layout l = server.layout();
        Instant started = Instant.now();
        Path base;
        if (dest != null || server.settings().isSet(Setting.BACKUP_DIR)) {
            // a folder the user named: pgbox writes into its own subfolder there and leaves the folder as it is
            base = dest != null ? OwnedFiles.placeIn(dest, server.settings().projectDir()) : home();
            OwnedFiles.ownedDirectory(base, l.osUser(), "rwxr-x---");
        } else {
            base = home();
            OwnedFiles.directory(base, l.osUser(), "rwxr-x---");
        }
        Path folder = newSetFolder(base, label == null ? "" : label + "-", l.osUser());
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("kind", "pgbox logical dump");
        manifest.put("created_at", started.toString());
        manifest.put("server_version", server.admin().value("postgres", "SHOW server_version"));
        manifest.put("format", format);
        ArrayNode dbs = manifest.putArray("databases");
        boolean done = false;
        try {
            for (String db : databases) {
                dbs.add(dumpOne(db, format, folder, progress));
            }
            progress.step("dumping roles (without passwords)");
            Path globals = folder.resolve("globals.sql");
            ProcessRunner.runChecked(server.instance().client("pg_dumpall", "--globals-only", "--no-role-passwords", "-f", globals.toString())
                    .timeout(Duration.ofMinutes(5)).build(), "pg_dumpall --globals-only failed", "see the server log");
            ObjectNode g = manifest.putObject("globals");
            g.put("file", "globals.sql");
            g.put("sha256", sha256(globals));
            manifest.put("duration_ms", Duration.between(started, Instant.now()).toMillis());
            OwnedFiles.write(folder.resolve(MANIFEST), JSON.writeValueAsString(manifest), l.osUser(), "rw-r-----");
            done = true;
            return folder;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot write the manifest in " + folder, e.toString(), "check free disk space");
        } finally {
            if (!done) {
                OwnedFiles.deleteTree(folder); // no half-written dump set is left to be mistaken for a good one
            }
        }
    }

    private ObjectNode dumpOne(String db, String format, Path folder, Progress progress) throws IOException {
        Layout l = server.layout();
        long size = Long.parseLong(server.admin().value("postgres", "SELECT pg_database_size($1)", db));
        progress.step("dumping " + db + " (" + Size.human(size) + " on disk, " + format + " format)");
        long t0 = System.nanoTime();
        Path target = folder.resolve(fileName(db, format));
        ObjectNode entry = JSON.createObjectNode();
        Instance at = server.instance();
        try (Session psql = ProcessRunner.session(at.client("psql", "-X", "-q", "-A", "-t", "-F", "|", "-d", db)
                .env("PGAPPNAME", "pgbox dump").build())) {
            List<String> snap = psql.exchange("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\nSELECT pg_export_snapshot();\n\\echo __pgbox__\n",
                    "__pgbox__");
            String snapshot = snap.get(snap.size() - 1).strip();
            List<String> counts = psql.exchange(COUNT_ROWS + "\\echo __pgbox__\n", "__pgbox__");
            List<String> args = new java.util.ArrayList<>(List.of("--snapshot=" + snapshot, "-F", format.substring(0, 1), "-f",
                    target.toString(), "-d", db));
            if (format.equals("directory")) {
                args.addAll(List.of("-j", Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors()))));
            }
            ProcessRunner.runChecked(at.client("pg_dump", args.toArray(String[]::new)).timeout(Duration.ofHours(12)).build(),
                    "pg_dump of " + db + " failed", "see the server log; check free space in " + folder);
            psql.exchange("COMMIT;\n\\echo __pgbox__\n", "__pgbox__");
            ObjectNode tables = entry.putObject("tables");
            for (String line : counts) {
                int bar = line.lastIndexOf('|');
                if (bar > 0) {
                    tables.put(line.substring(0, bar), Long.parseLong(line.substring(bar + 1)));
                }
            }
        }
        long bytes = bytes(target);
        double seconds = (System.nanoTime() - t0) / 1e9;
        entry.put("name", db);
        entry.put("file", target.getFileName().toString());
        entry.put("bytes", bytes);
        entry.put("sha256", sha256(target));
        entry.put("duration_ms", Math.round(seconds * 1000));
        progress.detail(String.format(java.util.Locale.ROOT, "%s: %s in %.1fs (%s/s)", db, Size.human(bytes), seconds,
                Size.human((long) (size / Math.max(seconds, 0.001)))));
        return entry;
    }

    /** Exact row counts of every table, in the session's snapshot: "schema.table|count" lines. */
    static final String COUNT_ROWS = """
            SELECT format('SELECT %L || ''|'' || count(*) FROM %s', n.nspname || '.' || c.relname, c.oid::regclass)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            ORDER BY 1
            \\gexec
            """;

    /** The dump sets in the dump folder, newest last. */
    public List<JsonNode> list() {
        Path home = home();
        if (!Files.isDirectory(home)) {
            return List.of();
        }
        try (Stream<Path> sets = Files.list(home)) {
            return sets.filter(p -> Files.exists(p.resolve(MANIFEST))).sorted().map(p -> {
                try {
                    ObjectNode m = (ObjectNode) JSON.readTree(p.resolve(MANIFEST).toFile());
                    m.put("path", p.toString());
                    return (JsonNode) m;
                } catch (IOException e) {
                    return null;
                }
            }).filter(java.util.Objects::nonNull).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Deletes all but the newest {@code keep} dump sets; returns the folders removed. */
    public List<String> enforceRetention(int keep) {
        List<JsonNode> sets = list();
        List<String> removed = new java.util.ArrayList<>();
        for (int i = 0; i < sets.size() - Math.max(1, keep); i++) {
            Path p = Path.of(sets.get(i).path("path").asText());
            OwnedFiles.deleteTree(p);
            removed.add(p.toString());
        }
        return removed;
    }

    /** Row counts of every table in {@code db} now (superuser, no RLS in the way). */
    public Map<String, Long> rowCounts(String db) {
        return rowCounts(server.admin(), db);
    }

    /** Row counts of every table in {@code db} of whichever server {@code sql} talks to. */
    static Map<String, Long> rowCounts(dev.pgbox.sql.AdminSql sql, String db) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : sql.run(db, COUNT_ROWS).lines().toList()) {
            int bar = line.lastIndexOf('|');
            if (bar > 0) {
                out.put(line.substring(0, bar), Long.parseLong(line.substring(bar + 1).strip()));
            }
        }
        return out;
    }

    static long bytes(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return Files.size(p);
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** SHA-256 of a file, or of a directory's files in name order. */
    public static String sha256(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
            } else {
                files = List.of(p);
            }
            byte[] buf = new byte[1 << 16];
            for (Path f : files) {
                try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                    while (in.read(buf) >= 0) {
                        // digesting
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
