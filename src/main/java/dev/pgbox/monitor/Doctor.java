package dev.pgbox.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.backup.BackupSet;
import dev.pgbox.backup.Drills;
import dev.pgbox.backup.PhysicalBackups;
import dev.pgbox.cluster.CrashLog;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.component.AgentProcess;
import dev.pgbox.config.CronSchedule;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * {@code pgbox doctor}: every check over the server and every app database (or one app). Reads the
 * facts in one server-wide query and one query per database (run side by side), then the pure
 * {@link Checks} turn them into findings against the thresholds in the settings. The agent runs the
 * same doctor for its alerts and metrics.
 */
public final class Doctor {
    /** psql calls side by side: enough to hide process start-up, few enough for a 2-core box. */
    private static final int PARALLEL = 4;

    private final Server server;

    public Doctor(Server server) {
        this.server = server;
    }

    /** Runs every check; {@code app} null means the server and every app database (an unknown app fails, exit 3). */
    public DoctorReport run(String app) {
        long t0 = System.nanoTime();
        Settings s = server.settings();
        if (!server.running()) {
            return DoctorReport.of(Instant.now().toString(), List.of(), millisSince(t0), List.of(notRunning()));
        }
        Thresholds t = Thresholds.of(s);
        Instance instance = server.instance();
        Layout layout = server.layout();
        boolean replica = Standby.is(layout);
        boolean prod = "prod".equals(s.envName());
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread th = new Thread(r, "pgbox-doctor");
            th.setDaemon(true);
            return th;
        });
        try {
            // pgbackrest info is a process of its own: it runs while the SQL does
            Future<List<Finding>> backups = pool.submit(() -> backupFindings(s, t, replica));
            Future<List<Finding>> cronJobs = pool.submit(() -> CronJobsCheck.findings(server, app));
            // the server's facts come with the first database's: one psql call; the apps' follow side by side
            String first = app == null ? s.get(Setting.POSTGRES_DB) : app;
            Facts.Both both;
            try {
                both = Facts.serverAndDatabase(instance, first, t.deadMin(), t.xidWarn(), t.sequenceWarn());
            } catch (PgboxException e) {
                if (!server.running()) {
                    return DoctorReport.of(Instant.now().toString(), List.of(), millisSince(t0), List.of(notRunning()));
                }
                if (app != null && !app.equals(s.get(Setting.POSTGRES_DB))) {
                    new Apps(server).requirePgboxApp(new AppName(app)); // an app that does not exist: say so, not "cannot connect"
                }
                throw e;
            }
            Facts.Server facts = both.server();
            List<String> databases = databases(facts, s, app);
            Predicate<String> inScope = app == null ? db -> true : app::equals;
            List<Future<Facts.Database>> perDb = new ArrayList<>();
            for (String db : databases) {
                perDb.add(db.equals(first) ? CompletableFuture.completedFuture(both.database())
                        : pool.submit(() -> Facts.database(instance, db, t.deadMin(), t.xidWarn(), t.sequenceWarn())));
            }

            List<Finding> findings = new ArrayList<>();
            findings.add(Checks.serverUp(replica));
            findings.add(Checks.connections(facts, t.connectionsWarn(), t.connectionsCritical()));
            findings.addAll(Checks.idleInTransaction(facts, t, inScope));
            findings.addAll(Checks.longTransactions(facts, t, inScope));
            findings.addAll(Checks.blocked(facts, t, inScope));
            findings.addAll(Checks.replication(facts, t, replica));
            if ("on".equals(s.get(Setting.BACKUP_ARCHIVE)) && !replica) {
                findings.add(Checks.archiver(facts.archiver(), readyWalFiles(instance.dataDir()), t, facts.now()));
            }
            findings.add(Checks.checkpoints(facts, t));
            findings.addAll(disks(instance.dataDir(), t, facts.now()));
            findings.add(crashes(layout, t, facts.now()));
            findings.add(Checks.agent("on".equals(s.get(Setting.PGBOX_AGENT)), AgentProcess.running(layout).isPresent(), prod));
            findings.add(Checks.startsAtBoot(server.supervisor().startsAtBoot(), prod, server.supervisor().describe()));
            java.util.Set<String> unusedKeys = new java.util.TreeSet<>();
            for (int i = 0; i < databases.size(); i++) {
                String db = databases.get(i);
                get(perDb.get(i)).unusedIndexes().forEach(x -> unusedKeys.add(Checks.unusedKey(db, x.name())));
            }
            // the doctor's own memory of when each index was first seen unused
            java.util.Map<String, Double> unusedSince = new DoctorState(layout).unusedSince(app, unusedKeys, facts.now());
            double unusedAge = s.millis(Setting.PGBOX_DOCTOR_UNUSED_INDEX_AGE) / 1000.0;
            for (int i = 0; i < databases.size(); i++) {
                String name = databases.get(i);
                Facts.DatabaseStat stat = facts.databases().stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
                Facts.Database d = get(perDb.get(i));
                if (stat != null) {
                    findings.add(Checks.xidAge(stat, t));
                    findings.add(Checks.cacheHit(stat, t));
                }
                findings.addAll(Checks.xidAgeTables(d, t));
                findings.addAll(Checks.deadTuples(d, t, facts.now()));
                findings.addAll(Checks.invalidIndexes(d));
                findings.addAll(Checks.unusedIndexes(d, stat == null ? null : stat.statsReset(), unusedSince, unusedAge, facts.now()));
                findings.addAll(Checks.fkWithoutIndex(d));
                findings.addAll(Checks.sequences(d, t));
            }
            if (app == null) {
                // wraparound in any database (postgres, template1) stops the whole server: their age counts too
                facts.databases().stream().filter(d -> !databases.contains(d.name())).forEach(d -> findings.add(Checks.xidAge(d, t)));
            }
            findings.addAll(backupsOrProblem(backups));
            findings.addAll(get(cronJobs));
            return DoctorReport.of(Instant.now().toString(), databases, millisSince(t0), findings);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The databases to check: the main one and every app, or the one asked for (which must exist). */
    private List<String> databases(Facts.Server facts, Settings s, String app) {
        String main = s.get(Setting.POSTGRES_DB);
        if (app == null) {
            List<String> all = new ArrayList<>();
            all.add(main);
            facts.apps().stream().filter(a -> !a.equals(main)).forEach(all::add);
            return all;
        }
        if (!app.equals(main) && !facts.apps().contains(app)) {
            new Apps(server).requirePgboxApp(new AppName(app)); // says which: missing, or not made by pgbox
        }
        return List.of(app);
    }

    /** Data and WAL file systems (pg_wal may be a link to another disk), with growth from the samples. */
    private List<Finding> disks(Path dataDir, Thresholds t, double now) {
        DoctorState state = new DoctorState(server.layout());
        try {
            Path wal = dataDir.resolve("pg_wal").toRealPath();
            FileStore data = Files.getFileStore(dataDir);
            FileStore walStore = Files.getFileStore(wal);
            long dataUsed = data.getTotalSpace() - data.getUnallocatedSpace();
            long walUsed = walStore.getTotalSpace() - walStore.getUnallocatedSpace();
            List<DoctorState.Sample> samples = state.samples();
            DoctorState.Sample base = DoctorState.baseline(samples, now);
            state.addSample(samples, new DoctorState.Sample(now, dataUsed, walUsed));
            List<Finding> out = new ArrayList<>();
            boolean shared = walStore.equals(data);
            // as df counts: used / (used + available to PostgreSQL), so blocks reserved for root are not "free"
            out.add(Checks.disk(shared ? "data+wal" : "data", dataDir.toString(), dataUsed + data.getUsableSpace(), data.getUsableSpace(),
                    base == null ? null : Checks.daysUntilFull(base.dataUsed(), base.epoch(), dataUsed, now, data.getUsableSpace()),
                    base != null, t));
            if (!shared) {
                out.add(Checks.disk("wal", wal.toString(), walUsed + walStore.getUsableSpace(), walStore.getUsableSpace(),
                        base == null ? null : Checks.daysUntilFull(base.walUsed(), base.epoch(), walUsed, now, walStore.getUsableSpace()),
                        base != null, t));
            }
            return out;
        } catch (IOException e) {
            return List.of(new Finding("disk", Severity.WARN, null, "data", "cannot read the file system: " + e.getMessage(), "readable",
                    "a full disk stops the server", "check that " + dataDir + " exists and pgbox may read it"));
        }
    }

    /** WAL files archive_command has not taken yet (archive_status/*.ready). */
    private static int readyWalFiles(Path dataDir) {
        try (Stream<Path> files = Files.list(dataDir.resolve("pg_wal").resolve("archive_status"))) {
            return (int) files.filter(p -> p.getFileName().toString().endsWith(".ready")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private Finding crashes(Layout layout, Thresholds t, double now) {
        CrashLog.Summary c = CrashLog.read(layout);
        DoctorState state = new DoctorState(layout);
        int seen = state.crashesSeen();
        int fresh = seen < 0 ? 0 : Math.max(0, c.count() - seen);
        if (seen != c.count()) {
            state.crashesSeen(c.count());
        }
        return Checks.crashes(c.count(), fresh, c.last().map(i -> (double) i.getEpochSecond()).orElse(null), c.lastBy(), now, t);
    }

    /** Last good backup and restore drill against their schedules, when archiving makes backups. */
    private List<Finding> backupFindings(Settings s, Thresholds t, boolean replica) {
        PhysicalBackups backups = new PhysicalBackups(server);
        if (replica || !backups.archiving()) {
            return List.of();
        }
        double now = Instant.now().getEpochSecond();
        List<BackupSet> sets;
        try {
            // the config 'pgbox start' wrote: no rewrite every time the agent runs the doctor
            sets = Files.exists(server.layout().pgbackrestConf()) ? backups.pgbackrest().info() : backups.list();
        } catch (PgboxException e) {
            return List.of(new Finding("backup_age", Severity.WARN, null, null, "cannot list the backups: " + e.reason(), "listable",
                    "a backup nobody can list cannot be restored either", "pgbox db backup --list; " + e.fix()));
        }
        String backupSchedule = s.get(Setting.BACKUP_PHYSICAL_SCHEDULE);
        String drillSchedule = s.get(Setting.VERIFY_SCHEDULE);
        Double lastBackup = sets.stream().map(b -> (double) b.stop().getEpochSecond()).max(Double::compare).orElse(null);
        Double firstBackup = sets.stream().map(b -> (double) b.stop().getEpochSecond()).min(Double::compare).orElse(null);
        List<Finding> out = new ArrayList<>();
        out.add(Checks.scheduleAge("backup_age", "physical backup", lastBackup, null, period(backupSchedule), now, backupSchedule, t,
                "pgbox db backup (then check the agent runs: pgbox status, pgbox agent --jobs)"));
        if (lastBackup != null) {
            JsonNode drill = new Drills(server).lastGood();
            Double lastDrill = drill == null ? null : (double) Instant.parse(drill.path("at").asText()).getEpochSecond();
            out.add(Checks.scheduleAge("drill_age", "restore drill", lastDrill, firstBackup, period(drillSchedule), now, drillSchedule, t,
                    "pgbox db verify (restores the last backup into a scratch server and checks it)"));
        }
        return out;
    }

    /** The backup findings; a failure to read them is a warning of its own, never the end of the whole report. */
    private static List<Finding> backupsOrProblem(Future<List<Finding>> backups) {
        try {
            return get(backups);
        } catch (RuntimeException e) {
            String why = e instanceof PgboxException p ? p.getMessage() + (p.reason() == null ? "" : ": " + p.reason()) : e.toString();
            return List.of(new Finding("backup_age", Severity.WARN, null, null, "the check failed: " + why, "checkable",
                    "a backup age nobody can check is a backup nobody watches", "pgbox db backup --list; pgbox --verbose doctor"));
        }
    }

    /** The time between two runs of a schedule (the one after the next, to skip a partial first period). */
    static double period(String schedule) {
        if (schedule.isBlank()) {
            return 0; // no schedule: nothing is due
        }
        CronSchedule c = CronSchedule.parse(schedule);
        ZonedDateTime next = c.next(ZonedDateTime.now());
        return Duration.between(next, c.next(next)).toSeconds();
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgboxException(ErrorKind.TIMEOUT, "the doctor was interrupted", e.toString(), "run pgbox doctor again");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The first question: is it up. A stopped server is the one finding, and the worst. */
    private Finding notRunning() {
        return new Finding("server_up", Severity.CRITICAL, null, null, "not running", "running",
                "no client can connect and nothing is archived while the server is down",
                "pgbox start (then pgbox status; the server log is in " + server.layout().logDir() + ")");
    }
}
