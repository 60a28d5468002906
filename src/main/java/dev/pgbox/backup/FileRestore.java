package dev.pgbox.backup;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.AppUrls;
import dev.pgbox.apps.Apps;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.Bootstrap;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores one database from a logical dump without risking the target: the dump's SHA-256 is
 * checked against its manifest first, the restore goes into a side database whose row counts must
 * match the manifest, and only then is it swapped in. The old database is kept under another name
 * until 'pgbox db restore --cleanup'; with --force a safety dump of it is taken first.
 */
public final class FileRestore {
    public static final String KEPT_MARK = "pgbox: kept before restore";
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("MMddHHmmss").withZone(ZoneOffset.UTC);

    private final Server server;
    private final AdminSql sql;

    public FileRestore(Server server) {
        this.server = server.requireRunning("restore");
        this.sql = server.admin();
    }

    /** A database restored as a copy of another carries this comment (not the app marker: it has no roles of its own). */
    public static final String COPY_MARK = "pgbox: restored copy of ";

    /**
     * What the restore did.
     *
     * @param copyOf the database whose owner and CONNECT grants the restored one got (--into a new name), or null
     * @param openUrl a libpq URL (no password) of a role that may connect to it, or null when pgbox knows none
     * @param passwordVariable where that role's password is (.env.secrets), or null
     */
    public record Result(String database, String source, String keptAs, Path safetyDump, Map<String, Long> rows,
                         String copyOf, String openUrl, String passwordVariable) {
    }

    /** The dump and what its manifest says of it (manifest fields empty when there is none). */
    record Located(Path file, String source, String sha256, Map<String, Long> rows, boolean hasManifest) {
    }

    public Result restore(Path file, String app, String into, boolean force, Progress progress) {
        HaRestore.requireLeader(server, "restore a dump"); // a replica member is read-only
        Located dump = locate(file.toAbsolutePath().normalize(), app);
        if (isPlain(dump.file())) {
            PlainDumpGuard.check(dump.file()); // before anything runs: psql would run what a crafted file holds
        }
        String target = into != null ? into : app != null ? app : dump.source();
        String mainDb = server.settings().get(Setting.POSTGRES_DB);
        if (!target.equals(mainDb)) {
            new AppName(target); // same rules as app names, checked before any SQL
        }
        progress.step("checking " + dump.file().getFileName() + (dump.hasManifest() ? " against its manifest (SHA-256)" : ""));
        if (dump.hasManifest()) {
            String actual = sha(dump.file());
            if (!actual.equals(dump.sha256())) {
                throw new PgboxException(ErrorKind.CONFIG, "the dump " + dump.file() + " is corrupt or truncated",
                        "its SHA-256 is " + actual.substring(0, 16) + "..., the manifest says " + dump.sha256().substring(0, 16) + "...",
                        "restore from another dump ('pgbox db backup --list'); nothing was changed");
            }
        }
        boolean exists = exists(target);
        int tables = exists ? Integer.parseInt(sql.value(target, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'partman', 'cron')")) : 0;
        if (tables > 0 && !force) {
            throw new PgboxException(ErrorKind.CONFIG, "database '" + target + "' is not empty (" + tables + " tables)",
                    "restoring would replace its data", "pass --force (a safety dump is taken first), or --into NEWNAME");
        }
        // --into a new name while the source database is still here: a copy that keeps the source's owner and
        // CONNECT grants, so the roles that use the source can open it (it does not become an app of its own)
        String copyOf = into != null && !target.equals(dump.source()) && !target.equals(mainDb) && exists(dump.source())
                && !isPgboxApp(target) ? dump.source() : null;
        String side = target + "_pgbox_restoring";
        String owner = copyOf != null ? sql.value("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", copyOf)
                : ownerFor(target, dump.source());
        sql.run("postgres", "DROP DATABASE IF EXISTS " + ident(side) + " WITH (FORCE);\nCREATE DATABASE " + ident(side)
                + " OWNER " + ident(owner) + " TEMPLATE template0;\n");
        boolean swapped = false;
        try {
            progress.step("restoring into a side database " + side);
            load(dump.file(), side);
            Map<String, Long> rows = new Dumps(server).rowCounts(side);
            if (dump.hasManifest()) {
                compare(dump.rows(), rows, dump.file());
            }
            Path safety = null;
            if (tables > 0) {
                progress.step("safety dump of '" + target + "' before replacing it");
                safety = new Dumps(server).dump(List.of(target), "custom", null, "before-restore-" + target, progress);
            }
            String kept = null;
            if (exists) {
                kept = target + "_old_" + SUFFIX.format(Instant.now());
                sql.run("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + literal(target)
                        + " AND pid <> pg_backend_pid();\nALTER DATABASE " + ident(target) + " RENAME TO " + ident(kept) + ";\n"
                        + "COMMENT ON DATABASE " + ident(kept) + " IS " + literal(KEPT_MARK + " of " + target + " at " + Instant.now()) + ";\n");
            }
            sql.run("postgres", "ALTER DATABASE " + ident(side) + " RENAME TO " + ident(target) + ";\n");
            swapped = true;
            progress.step("re-applying roles, privileges and extensions of '" + target + "'");
            if (target.equals(mainDb)) {
                Bootstrap.apply(sql, server.settings().get(Setting.POSTGRES_USER), mainDb, server.settings().get(Setting.POSTGRES_PASSWORD));
            } else if (copyOf != null) {
                grantAsOn(copyOf, target, dump.file());
            } else {
                sql.run("postgres", "COMMENT ON DATABASE " + ident(target) + " IS " + literal(Apps.MARKER) + ";\n");
                new Apps(server).create(new AppName(target), null, Apps.defaults(server.settings()), Progress.SILENT);
            }
            AppUrls open = opener(copyOf != null ? copyOf : target);
            return new Result(target, dump.source(), kept, safety, rows, copyOf, open == null ? null : open.in(target).libpq(),
                    open == null ? null : passwordVariable(copyOf != null ? copyOf : target));
        } finally {
            if (!swapped) {
                sql.run("postgres", "DROP DATABASE IF EXISTS " + ident(side) + " WITH (FORCE);\n");
            }
        }
    }

    /** Drops the databases kept by earlier restores; returns their names. */
    public List<String> cleanup() {
        List<String> kept = sql.rows("postgres", "SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE $1 ORDER BY 1",
                KEPT_MARK + "%").stream().map(r -> r.get(0)).toList();
        for (String db : kept) {
            sql.run("postgres", "DROP DATABASE " + ident(db) + " WITH (FORCE);\n");
        }
        return kept;
    }

    private Located locate(Path file, String app) {
        if (!Files.exists(file)) {
            throw new PgboxException(ErrorKind.CONFIG, "no dump at " + file, "the path does not exist",
                    "see 'pgbox db backup --list' for the dumps pgbox made");
        }
        Path manifestPath = Files.isDirectory(file) && Files.exists(file.resolve(Dumps.MANIFEST)) ? file.resolve(Dumps.MANIFEST)
                : file.resolveSibling(Dumps.MANIFEST);
        if (!Files.exists(manifestPath)) {
            String base = file.getFileName().toString().replaceFirst("\\.(dump|tar|sql)$", "");
            return new Located(file, app != null ? app : base, "", Map.of(), false);
        }
        try {
            JsonNode manifest = Dumps.JSON.readTree(manifestPath.toFile());
            List<JsonNode> entries = new ArrayList<>();
            manifest.path("databases").forEach(entries::add);
            JsonNode entry = null;
            for (JsonNode e : entries) {
                boolean byFile = !Files.isDirectory(file) || !Files.exists(file.resolve(Dumps.MANIFEST))
                        ? e.path("file").asText().equals(file.getFileName().toString()) : app != null && e.path("name").asText().equals(app);
                if (byFile) {
                    entry = e;
                }
            }
            if (entry == null && entries.size() == 1 && Files.exists(file.resolve(Dumps.MANIFEST))) {
                entry = entries.get(0);
            }
            if (entry == null) {
                throw new PgboxException(ErrorKind.USAGE, "which database of " + file + "?",
                        "the dump set holds " + String.join(", ", entries.stream().map(e -> e.path("name").asText()).toList()),
                        "pass --app NAME, or the path of one dump file");
            }
            Map<String, Long> rows = new LinkedHashMap<>();
            JsonNode tables = entry.path("tables");
            for (Iterator<String> it = tables.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                rows.put(name, tables.path(name).asLong());
            }
            Path dumpFile = manifestPath.resolveSibling(entry.path("file").asText());
            return new Located(dumpFile, entry.path("name").asText(), entry.path("sha256").asText(), rows, true);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot read " + manifestPath, e.getMessage(), "check the dump folder");
        }
    }

    private static boolean isPlain(Path file) {
        return !Files.isDirectory(file) && file.getFileName().toString().endsWith(".sql");
    }

    /** pg_restore (or psql for plain SQL) into {@code db}, in one transaction, stopping at the first error. */
    private void load(Path file, String db) {
        Instance at = server.instance();
        boolean plain = isPlain(file);
        Command c;
        if (plain) {
            // restore() ran PlainDumpGuard on this file before anything else
            c = at.client("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", db, "-f", file.toString())
                    .timeout(Duration.ofHours(12)).build();
        } else {
            Path list = tocWithoutCron(file);
            c = at.client("pg_restore", "--exit-on-error", "--single-transaction", "-L", list.toString(), "-d", db, file.toString())
                    .timeout(Duration.ofHours(12)).build();
        }
        ProcessResult r = ProcessRunner.run(c);
        if (!r.ok()) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "the dump " + file.getFileName() + " does not restore",
                    r.tail(3), "the dump may be damaged: restore from another one; the target database was not touched");
        }
    }

    /**
     * The dump's table of contents minus pg_cron, which exists only in cron.database_name and would
     * stop a restore into any other name (its jobs are not part of an app's data).
     */
    private Path tocWithoutCron(Path file) {
        Layout l = server.layout();
        ProcessResult toc = ProcessRunner.run(Command.of(l.pg().bin("pg_restore"), "-l", file.toString()).runAs(l.osUser())
                .timeout(Duration.ofMinutes(5)).build());
        if (!toc.ok()) {
            throw new PgboxException(ErrorKind.CONFIG, "the dump " + file.getFileName() + " cannot be read", toc.tail(2),
                    "the file is not a pg_dump archive, or it is damaged; nothing was changed");
        }
        StringBuilder kept = new StringBuilder();
        for (String line : toc.stdout().lines().toList()) {
            if (!line.contains("pg_cron") && !line.matches(".* cron .*") && !line.matches(".*SCHEMA - cron.*")) {
                kept.append(line).append('\n');
            }
        }
        try {
            Path list = Files.createTempFile(l.runDir(), "restore-", ".list");
            Files.writeString(list, kept.toString());
            list.toFile().setReadable(true, false);
            list.toFile().deleteOnExit();
            return list;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write a restore list in " + l.runDir(), e.toString(), "check its mode");
        }
    }

    private static void compare(Map<String, Long> expected, Map<String, Long> actual, Path file) {
        List<String> diffs = new ArrayList<>();
        expected.forEach((table, n) -> {
            if (table.startsWith("cron.")) {
                return;
            }
            Long got = actual.get(table);
            if (got == null || !got.equals(n)) {
                diffs.add(table + ": manifest " + n + ", restored " + got);
            }
        });
        if (!diffs.isEmpty()) {
            throw new PgboxException(ErrorKind.TOOL_FAILED, "the restore of " + file.getFileName() + " does not match its manifest",
                    String.join("; ", diffs.subList(0, Math.min(3, diffs.size()))), "restore from another dump; the target was not touched");
        }
    }

    /**
     * Gives {@code copy} the database-level privileges {@code source} has (datacl: CONNECT, TEMPORARY,
     * CREATE per role, PUBLIC's included) and marks it as a copy. A NULL datacl means PostgreSQL's
     * defaults, which a new database has already.
     */
    private void grantAsOn(String source, String copy, Path file) {
        sql.execute("postgres", """
                SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', $1::text) FROM pg_database WHERE datname = $2 AND datacl IS NOT NULL\\gexec
                SELECT format('GRANT %s ON DATABASE %I TO %s%s', a.privilege_type, $1::text,
                              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
                FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $2 ORDER BY a.grantee, a.privilege_type\\gexec
                SELECT format('COMMENT ON DATABASE %I IS %L', $1::text, $3::text)\\gexec
                """, copy, source, COPY_MARK + "'" + source + "' from " + file.getFileName() + " at " + Instant.now());
    }

    /** The URLs of the role that uses {@code db}: its app's login role, the main role, or null for a database pgbox does not know. */
    private AppUrls opener(String db) {
        if (db.equals(server.settings().get(Setting.POSTGRES_DB))) {
            return AppUrls.main(server.settings(), server.instance());
        }
        return isPgboxApp(db) ? AppUrls.app(server.instance(), new AppName(db), false) : null;
    }

    private String passwordVariable(String db) {
        return db.equals(server.settings().get(Setting.POSTGRES_DB)) ? "POSTGRES_PASSWORD" : new AppName(db).passwordVariable();
    }

    private boolean isPgboxApp(String db) {
        return AppName.problem(db) == null && new Apps(server).isPgboxApp(new AppName(db));
    }

    private String ownerFor(String target, String source) {
        for (String candidate : List.of(target + "_owner", source + "_owner")) {
            if ("t".equals(sql.value("postgres", "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", candidate))) {
                return candidate;
            }
        }
        return target.equals(server.settings().get(Setting.POSTGRES_DB)) ? server.settings().get(Setting.POSTGRES_USER) : dev.pgbox.sql.AdminSql.SUPERUSER;
    }

    private boolean exists(String db) {
        return "t".equals(sql.value("postgres", "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", db));
    }

    private static String sha(Path p) {
        try {
            return Dumps.sha256(p);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot read " + p, e.getMessage(), "check the file");
        }
    }
}
