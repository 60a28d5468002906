package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.backup.BackupSet;
import dev.pgbox.backup.Backups;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** pgbox db backup, restore and restore-point. */
final class DbBackupCommands {
    private DbBackupCommands() {
    }

    static Backups backups(Settings s) {
        return new Backups(Server.open(Backups.withCipherKey(s)));
    }

    static String ago(Instant t) {
        long s = Duration.between(t, Instant.now()).toSeconds();
        return StatusCommand.uptime(Math.max(0, s)) + " ago";
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Take a backup. Without --physical: pg_dump of each app (default: the main database and every app)",
                    "into a timestamped folder with a manifest (sizes, SHA-256, server version, row counts) and the roles without",
                    "passwords. --physical: a pgBackRest backup of the whole cluster (full, diff or incr), the base for",
                    "point-in-time recovery. --list: every backup of both kinds."})
    static final class Backup extends BaseCommand implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "APP", arity = "0..*", description = "Databases to dump (default: all).")
        List<String> apps = new ArrayList<>();

        @Option(names = "--format", defaultValue = "custom",
                description = "pg_dump format: custom, tar, directory (parallel) or plain (default: ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--dest", paramLabel = "DIR|s3://BUCKET/PREFIX",
                description = "Folder for the dump set (default: BACKUP_DIR), or an S3 bucket (with BACKUP_S3_*).")
        String dest;

        @Option(names = "--physical", description = "A pgBackRest backup of the whole cluster.")
        boolean physical;

        @Option(names = "--type", defaultValue = "full", description = "With --physical: full, diff or incr (default: ${DEFAULT-VALUE}).")
        String type;

        @Option(names = "--list", description = "List backups instead of taking one.")
        boolean list;

        @Option(names = "--json", description = "With --list: print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Settings s = settings();
            apps.forEach(a -> AppArgument.check(s, a)); // names first, whether or not the server runs
            Backups backups = backups(s);
            if (list) {
                return list(backups);
            }
            Console console = console();
            if (!physical) {
                Server server = Server.open(s);
                List<String> dbs = new ArrayList<>(apps);
                if (dbs.isEmpty()) {
                    if (server.running()) {
                        dbs.addAll(new dev.pgbox.apps.Apps(server).allDatabases());
                    } else {
                        dbs.add(s.get(dev.pgbox.config.Setting.POSTGRES_DB));
                    }
                } else if (server.running()) {
                    for (String app : dbs) {
                        if (!app.equals(s.get(dev.pgbox.config.Setting.POSTGRES_DB))) {
                            new dev.pgbox.apps.Apps(server).requirePgboxApp(new dev.pgbox.apps.AppName(app));
                        }
                    }
                }
                boolean s3 = dest != null && dest.startsWith("s3://");
                if (dest != null && !s3 && !java.nio.file.Path.of(dest).isAbsolute()) {
                    throw new PgboxException(ErrorKind.USAGE, "invalid --dest " + dest, "a destination is an absolute folder or s3://bucket/prefix",
                            "e.g. --dest=/srv/dumps or --dest=s3://my-bucket/pgbox");
                }
                dev.pgbox.backup.S3Upload upload = s3 ? new dev.pgbox.backup.S3Upload(s) : null; // settings checked before dumping
                java.nio.file.Path folder = new dev.pgbox.backup.Dumps(server).dump(dbs, format,
                        dest == null || s3 ? null : java.nio.file.Path.of(dest), null, console);
                if (s3) {
                    console.step("uploading " + folder.getFileName() + " to " + dest);
                    String url = upload.upload(folder, dest, console);
                    dev.pgbox.cluster.OwnedFiles.deleteTree(folder);
                    out().printf("dumped %s into %s  [%.1fs]%n", String.join(", ", dbs), url, console.seconds());
                } else {
                    out().printf("dumped %s into %s  [%.1fs]%n", String.join(", ", dbs), folder, console.seconds());
                }
                return 0;
            }
            BackupSet b = backups.physical(type, console);
            out().printf("%s backup %s: %s of data, %s in the repository, %ds  [%.1fs]%n", b.type(), b.label(), Size.human(b.sizeBytes()),
                    Size.human(b.repoBytes()), Duration.between(b.start(), b.stop()).toSeconds(), console.seconds());
            return 0;
        }

        private int list(Backups backups) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode d : new dev.pgbox.backup.Dumps(Server.open(settings())).list()) {
                Map<String, Object> m = new LinkedHashMap<>();
                List<String> names = new ArrayList<>();
                long bytes = 0;
                for (com.fasterxml.jackson.databind.JsonNode db : d.path("databases")) {
                    names.add(db.path("name").asText());
                    bytes += db.path("bytes").asLong();
                }
                m.put("kind", "logical");
                m.put("id", d.path("path").asText());
                m.put("type", d.path("format").asText());
                m.put("started_at", d.path("created_at").asText());
                m.put("finished_at", Instant.parse(d.path("created_at").asText()).plusMillis(d.path("duration_ms").asLong()).toString());
                m.put("duration_seconds", d.path("duration_ms").asLong() / 1000);
                m.put("size_bytes", bytes);
                m.put("repo_bytes", bytes);
                m.put("apps", String.join(",", names));
                m.put("server_version", d.path("server_version").asText());
                rows.add(m);
            }
            for (BackupSet b : backups.physicalBackups()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", "physical");
                m.put("id", b.label());
                m.put("type", b.type());
                m.put("started_at", b.start().toString());
                m.put("finished_at", b.stop().toString());
                m.put("duration_seconds", Duration.between(b.start(), b.stop()).toSeconds());
                m.put("size_bytes", b.sizeBytes());
                m.put("repo_bytes", b.repoBytes());
                m.put("apps", "all");
                m.put("wal_start", b.walStart());
                m.put("wal_stop", b.walStop());
                rows.add(m);
            }
            rows.sort(java.util.Comparator.comparing(m -> (String) m.get("finished_at")));
            Map<String, String> verified = new dev.pgbox.backup.Drills(Server.open(settings())).verifiedAt();
            rows.forEach(m -> m.put("last_verified_at", verified.get((String) m.get("id"))));
            if (json) {
                out().println(Tables.json(rows));
            } else if (rows.isEmpty()) {
                out().println("no backups yet (pgbox db backup --physical)");
            } else {
                out().println(Tables.aligned(List.of("when", "kind", "id", "apps", "size", "stored", "duration", "last verified"), rows.stream()
                        .map(m -> List.of(m.get("finished_at") + " (" + ago(Instant.parse((String) m.get("finished_at"))) + ")",
                                m.get("kind") + " " + m.get("type"), (String) m.get("id"), (String) m.get("apps"),
                                Size.human((Long) m.get("size_bytes")), Size.human((Long) m.get("repo_bytes")),
                                m.get("duration_seconds") + "s", m.get("last_verified_at") == null ? "never"
                                        : ago(Instant.parse((String) m.get("last_verified_at"))))).toList()));
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"--point-in-time / --restore-point: rewind the WHOLE cluster (every app) from pgBackRest's backups and",
                    "archived WAL: stop, restore, replay, promote, wait until writable. Asks first, or --yes.",
                    "--file: restore one database from a logical dump (checked against its manifest, restored beside the",
                    "target, then swapped in; the old one is kept until --cleanup). --cleanup: drop those kept databases."})
    static final class Restore extends BaseCommand implements Callable<Integer> {
        static final class Target {
            @Option(names = "--point-in-time", paramLabel = "TIME", description = "e.g. \"2026-05-07 14:30:00 UTC\"")
            String time;

            @Option(names = "--restore-point", paramLabel = "NAME", description = "A point made with 'pgbox db restore-point'.")
            String point;

            @Option(names = "--file", paramLabel = "PATH", description = "A dump file, or a dump set folder with --app.")
            java.nio.file.Path file;

            @Option(names = "--cleanup", description = "Drop the databases earlier --file restores kept.")
            boolean cleanup;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @Option(names = "--app", paramLabel = "NAME",
                description = "With --file: which database of a dump set, and the target. With --point-in-time: rewind only this app.")
        String app;

        @Option(names = "--into", paramLabel = "NAME", description = "With --file: restore into this database instead.")
        String into;

        @Option(names = "--force", description = "With --file: replace a non-empty database (a safety dump is taken first).")
        boolean force;

        @Option(names = "--yes", description = "Do not ask.")
        boolean yes;

        @Override
        public Integer call() {
            Settings s = settings();
            if (app != null) {
                AppArgument.check(s, app);
            }
            if (into != null) {
                AppArgument.check(s, into);
            }
            if (target.point != null) {
                dev.pgbox.backup.RestorePointName.require(target.point);
            }
            Console console = console();
            if (target.cleanup) {
                List<String> dropped = new dev.pgbox.backup.FileRestore(Server.open(s)).cleanup();
                out().println(dropped.isEmpty() ? "nothing to clean up" : "dropped " + String.join(", ", dropped));
                return 0;
            }
            if (target.file != null) {
                var r = new dev.pgbox.backup.FileRestore(Server.open(s)).restore(target.file, app, into, force, console);
                out().printf("restored '%s' from %s (%d tables checked against the manifest)%s%s  [%.1fs]%n", r.database(),
                        target.file.getFileName(), r.rows().size(),
                        r.keptAs() != null ? "; the previous database is kept as '" + r.keptAs() + "' until 'pgbox db restore --cleanup'" : "",
                        r.safetyDump() != null ? "; safety dump in " + r.safetyDump() : "", console.seconds());
                if (r.copyOf() != null) {
                    out().println("  owner and CONNECT grants as on '" + r.copyOf() + "'");
                }
                if (r.openUrl() != null) {
                    out().println("  open it: PGPASSWORD=<" + r.passwordVariable() + " from .env.secrets> psql '" + r.openUrl() + "'");
                }
                return 0;
            }
            Instant when = target.time != null ? Backups.parseTime(target.time) : null;
            Backups backups = backups(s);
            if (app != null && when != null) {
                if (!app.equals(s.get(dev.pgbox.config.Setting.POSTGRES_DB))) {
                    new dev.pgbox.apps.Apps(Server.open(s)).requirePgboxApp(new dev.pgbox.apps.AppName(app));
                }
                var r = backups.appPointInTime(app, when, console);
                out().printf("restored app '%s' to %s; every other app is untouched; the previous database is kept as '%s' until "
                        + "'pgbox db restore --cleanup'  [%.1fs]%n", r.database(), target.time, r.keptAs(), console.seconds());
                return 0;
            }
            String what = when != null ? "to " + when : "to restore point " + target.point;
            if (!yes && !Confirm.ask("restoring the whole cluster " + what,
                    "This rewinds EVERY app " + what + "; later changes are lost. Type 'restore' to go on: ", "restore")) {
                out().println("not restored");
                return ErrorKind.USAGE.exitCode();
            }
            Backups.Recovered r = when != null ? backups.pointInTime(when, console) : backups.toRestorePoint(target.point, console);
            out().printf("restored the cluster to %s from backup %s; now on timeline %s and accepting writes  [%.1fs]%n", r.target(),
                    r.backupLabel(), r.timeline(), console.seconds());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Restore drill: restore the latest (or --backup ID) physical backup into a scratch cluster on a free",
                    "port, read every table (verifying page checksums), restore the latest dump set there and compare row",
                    "counts with its manifest, run pgbackrest verify; records the restore time (RTO). Exits 11 on problems."})
    static final class Verify extends BaseCommand implements Callable<Integer> {
        @Option(names = "--latest", description = "Verify the newest backup (the default).")
        boolean latest;

        @Option(names = "--backup", paramLabel = "ID", description = "A physical backup label from 'pgbox db backup --list'.")
        String backup;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Console console = console();
            dev.pgbox.backup.Drills.Outcome o = new dev.pgbox.backup.Drills(Server.open(settings())).run(backup, console);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ok", o.ok());
                m.put("physical_backup", o.physicalBackup());
                m.put("dump_set", o.dumpSet());
                m.put("restore_seconds", o.restoreMillis() / 1000.0);
                m.put("tables_read", o.tablesRead());
                m.put("tables_compared", o.tablesCompared());
                m.put("problems", o.problems());
                out().println(Tables.json(m));
            } else {
                out().printf("%s: backup %s restored in %.1fs (RTO), %d tables read%s%s  [%.1fs]%n", o.ok() ? "verified" : "FAILED",
                        o.physicalBackup(), o.restoreMillis() / 1000.0, o.tablesRead(),
                        o.dumpSet() != null ? ", " + o.tablesCompared() + " tables of " + java.nio.file.Path.of(o.dumpSet()).getFileName()
                                + " match their manifest" : "", "", console.seconds());
                o.problems().forEach(p -> out().println("  problem: " + p));
            }
            return o.ok() ? 0 : ErrorKind.FINDINGS.exitCode();
        }
    }

    @Command(name = "restore-point", mixinStandardHelpOptions = true,
            description = "Mark this moment (pg_create_restore_point) so 'pgbox db restore --restore-point=NAME' can return to it.")
    static final class RestorePoint extends BaseCommand implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            String lsn = backups(settings()).restorePoint(name);
            out().println("restore point '" + name + "' at WAL position " + lsn + " (archived)");
            return 0;
        }
    }
}
