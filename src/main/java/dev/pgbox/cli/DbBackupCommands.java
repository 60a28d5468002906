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
            description = {"Take a backup. --physical: a pgBackRest backup of the whole cluster (full, diff or incr), the base",
                    "for point-in-time recovery. --list: every backup with when, kind, size and duration."})
    static final class Backup extends BaseCommand implements Callable<Integer> {
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
            Backups backups = backups(s);
            if (list) {
                return list(backups);
            }
            if (!physical) {
                throw new PgboxException(ErrorKind.USAGE, "say what to back up", "logical dumps come in a later pgbox version",
                        "use --physical for a pgBackRest backup, or --list");
            }
            Console console = console();
            BackupSet b = backups.physical(type, console);
            out().printf("%s backup %s: %s of data, %s in the repository, %ds  [%.1fs]%n", b.type(), b.label(), Size.human(b.sizeBytes()),
                    Size.human(b.repoBytes()), Duration.between(b.start(), b.stop()).toSeconds(), console.seconds());
            return 0;
        }

        private int list(Backups backups) {
            List<Map<String, Object>> rows = new ArrayList<>();
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
            if (json) {
                out().println(Tables.json(rows));
            } else if (rows.isEmpty()) {
                out().println("no backups yet (pgbox db backup --physical)");
            } else {
                out().println(Tables.aligned(List.of("when", "kind", "id", "apps", "size", "stored", "duration"), rows.stream()
                        .map(m -> List.of(m.get("finished_at") + " (" + ago(Instant.parse((String) m.get("finished_at"))) + ")",
                                m.get("kind") + " " + m.get("type"), (String) m.get("id"), (String) m.get("apps"),
                                Size.human((Long) m.get("size_bytes")), Size.human((Long) m.get("repo_bytes")),
                                m.get("duration_seconds") + "s")).toList()));
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Rewind the WHOLE cluster (every app) to a point in time or a restore point, from pgBackRest's",
                    "backups and archived WAL: stop, restore, replay, promote, wait until writable. Asks first, or --yes."})
    static final class Restore extends BaseCommand implements Callable<Integer> {
        static final class Target {
            @Option(names = "--point-in-time", paramLabel = "TIME", description = "e.g. \"2026-05-07 14:30:00 UTC\"")
            String time;

            @Option(names = "--restore-point", paramLabel = "NAME", description = "A point made with 'pgbox db restore-point'.")
            String point;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @Option(names = "--yes", description = "Do not ask.")
        boolean yes;

        @Override
        public Integer call() {
            Instant when = target.time != null ? Backups.parseTime(target.time) : null;
            Backups backups = backups(settings());
            String what = when != null ? "to " + when : "to restore point " + target.point;
            if (!yes) {
                java.io.Console tty = System.console();
                if (tty == null) {
                    throw new PgboxException(ErrorKind.USAGE, "restoring the whole cluster " + what + " needs confirmation",
                            "there is no terminal to ask on", "pass --yes to restore without asking");
                }
                String answer = tty.readLine("This rewinds EVERY app %s; later changes are lost. Type 'restore' to go on: ", what);
                if (answer == null || !answer.strip().equals("restore")) {
                    out().println("not restored");
                    return ErrorKind.USAGE.exitCode();
                }
            }
            Console console = console();
            Backups.Recovered r = when != null ? backups.pointInTime(when, console) : backups.toRestorePoint(target.point, console);
            out().printf("restored the cluster to %s from backup %s; now on timeline %s and accepting writes  [%.1fs]%n", r.target(),
                    r.backupLabel(), r.timeline(), console.seconds());
            return 0;
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
