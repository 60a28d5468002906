package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.backup.BackupCatalogue;
import dev.pgbox.backup.BackupSet;
import dev.pgbox.backup.DrillReport;
import dev.pgbox.backup.Drills;
import dev.pgbox.backup.LogicalBackup;
import dev.pgbox.backup.PhysicalBackups;
import dev.pgbox.backup.Pitr;
import dev.pgbox.backup.RecoveryTarget;
import dev.pgbox.backup.RestorePointName;
import dev.pgbox.backup.RestorePoints;
import dev.pgbox.backup.Restores;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox db backup, restore, verify and restore-point: parse, call the backup services, render their models. */
final class DbBackupCommands {
    private DbBackupCommands() {
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
        @Parameters(paramLabel = "APP", arity = "0..*", description = "Databases to dump (default: all).")
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
            PhysicalBackups backups = PhysicalBackups.open(s);
            if (list) {
                return list(new BackupCatalogue(backups.server()).list());
            }
            Console console = console();
            if (!physical) {
                LogicalBackup.Dumped d = new LogicalBackup(backups.server()).take(apps, format, dest, console);
                out().printf("dumped %s into %s  [%.1fs]%n", String.join(", ", d.databases()), d.location(), console.seconds());
                return 0;
            }
            BackupSet b = backups.take(type, console);
            out().printf("%s backup %s: %s of data, %s in the repository, %ds  [%.1fs]%n", b.type(), b.label(), Size.human(b.sizeBytes()),
                    Size.human(b.repoBytes()), Duration.between(b.start(), b.stop()).toSeconds(), console.seconds());
            return 0;
        }

        private int list(BackupCatalogue.BackupList list) {
            List<BackupCatalogue.Entry> rows = list.backups();
            if (json) {
                out().println(Json.render(rows));
            } else if (rows.isEmpty()) {
                out().println("no backups yet (pgbox db backup --physical)");
            } else {
                out().println(Tables.aligned(List.of("when", "kind", "id", "apps", "size", "stored", "duration", "last verified"), rows.stream()
                        .map(e -> List.of(e.finishedAt() + " (" + ago(Instant.parse(e.finishedAt())) + ")", e.kind() + " " + e.type(), e.id(),
                                e.apps(), Size.human(e.sizeBytes()), Size.human(e.repoBytes()), e.durationSeconds() + "s",
                                e.lastVerifiedAt() == null ? "never" : ago(Instant.parse(e.lastVerifiedAt())))).toList()));
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
            Path file;

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
                RestorePointName.require(target.point);
            }
            Instant when = target.time != null && target.file == null ? RecoveryTarget.parse(target.time) : null;
            Restores.Request request = new Restores.Request(when, target.point, target.file, target.cleanup, app, into, force);
            if (request.wholeCluster() && !yes) {
                String what = when != null ? "to " + when : "to restore point " + target.point;
                if (!Confirm.ask("restoring the whole cluster " + what,
                        "This rewinds EVERY app " + what + "; later changes are lost. Type 'restore' to go on: ", "restore")) {
                    out().println("not restored");
                    return ErrorKind.USAGE.exitCode();
                }
            }
            Console console = console();
            Restores.Outcome done = new Restores(s).run(request, console);
            if (done instanceof Restores.Cleaned c) {
                out().println(c.dropped().isEmpty() ? "nothing to clean up" : "dropped " + String.join(", ", c.dropped()));
            } else if (done instanceof Restores.FromFile f) {
                var r = f.result();
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
            } else if (done instanceof Restores.AppRewound a) {
                out().printf("restored app '%s' to %s; every other app is untouched; the previous database is kept as '%s' until "
                        + "'pgbox db restore --cleanup'  [%.1fs]%n", a.result().database(), target.time, a.result().keptAs(), console.seconds());
            } else if (done instanceof Pitr.Recovered r) {
                out().printf("restored the cluster to %s from backup %s; now on timeline %s and accepting writes  [%.1fs]%n", r.target(),
                        r.backupLabel(), r.timeline(), console.seconds());
            }
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
            DrillReport o = new Drills(PhysicalBackups.open(settings()).server()).run(backup, console);
            if (json) {
                out().println(Json.render(o));
            } else {
                out().printf("%s: backup %s restored in %.1fs (RTO), %d tables read%s  [%.1fs]%n", o.ok() ? "verified" : "FAILED",
                        o.physicalBackup(), o.restoreSeconds(), o.tablesRead(),
                        o.dumpSet() != null ? ", " + o.tablesCompared() + " tables of " + Path.of(o.dumpSet()).getFileName()
                                + " match their manifest" : "", console.seconds());
                o.problems().forEach(p -> out().println("  problem: " + p));
            }
            return o.ok() ? 0 : ErrorKind.FINDINGS.exitCode();
        }
    }

    @Command(name = "restore-point", mixinStandardHelpOptions = true,
            description = "Mark this moment (pg_create_restore_point) so 'pgbox db restore --restore-point=NAME' can return to it.")
    static final class RestorePoint extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            RestorePoints.Point p = RestorePoints.create(PhysicalBackups.open(settings()), name);
            out().println("restore point '" + name + "' at WAL position " + p.lsn() + " (archived)");
            return 0;
        }
    }
}
