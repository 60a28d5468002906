package dev.pgbox.agent;

import dev.pgbox.PgboxException;
import dev.pgbox.api.AgentApi;
import dev.pgbox.Progress;
import dev.pgbox.backup.BackupSet;
import dev.pgbox.backup.DrillReport;
import dev.pgbox.backup.Drills;
import dev.pgbox.backup.LogicalBackup;
import dev.pgbox.backup.PhysicalBackups;
import dev.pgbox.cluster.ProjectLock;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.Standby;
import dev.pgbox.config.CronSchedule;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The long-running pgbox process of one project: runs scheduled logical dumps (with retention),
 * physical backups (full when the last full is old, else differential) and restore drills. One job at
 * a time; each run is logged with its outcome. It exits when its PID file is removed or replaced
 * (pgbox stop) or the project folder disappears.
 */
public final class Agent {
    private final Settings settings;
    private final Server server;
    private final PrintStream log;
    private volatile boolean stopping;
    /** How often the logs of pgbox's own programs are checked against {@link LogTrim#LIMIT_BYTES}. */
    static final Duration TRIM_EVERY = Duration.ofMinutes(5);
    /** An HA replica member: every scheduled backup runs on the leader (it moves with failovers). */
    static final String ON_REPLICA_MEMBER = "skipped: this member is an HA replica; scheduled dumps run on the leader";
    /** A replica has no pgBackRest stanza of its own: physical backups and their drills run on the primary. */
    static final String ON_REPLICA = "skipped: this server is a streaming replica; physical backups and restore drills run on the primary";

    public Agent(Settings settings, PrintStream log) {
        this.settings = settings;
        this.server = Server.open(settings);
        this.log = log;
    }

    /** The jobs these settings ask for; an empty schedule turns a job off. */
    public List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        add(jobs, "dump", Setting.BACKUP_SCHEDULE, p -> {
            if (new LogicalBackup(server).onReplicaMember()) {
                return ON_REPLICA_MEMBER;
            }
            LogicalBackup.Dumped d = new LogicalBackup(server).scheduled(p);
            return "dumped " + String.join(", ", d.databases()) + " into " + d.location()
                    + (d.removed().isEmpty() ? "" : "; removed " + d.removed().size() + " old set(s)");
        });
        add(jobs, "physical-backup", Setting.BACKUP_PHYSICAL_SCHEDULE, p -> {
            if (Standby.is(server.layout())) {
                return ON_REPLICA;
            }
            BackupSet b = new PhysicalBackups(server).takeScheduled(p);
            return b.type() + " backup " + b.label();
        });
        add(jobs, "verify", Setting.VERIFY_SCHEDULE, p -> {
            if (Standby.is(server.layout())) {
                return ON_REPLICA;
            }
            DrillReport o = new Drills(server).run(null, p);
            return (o.ok() ? "verified " : "FAILED ") + o.physicalBackup() + " in " + o.restoreSeconds() + "s"
                    + (o.problems().isEmpty() ? "" : ": " + String.join("; ", o.problems()));
        });
        add(jobs, "jobs-sync", Setting.PGBOX_JOBS_SYNC_SCHEDULE, p -> {
            if (Standby.is(server.layout())) {
                return "skipped: this server is a replica; the primary keeps the jobs";
            }
            List<String> changes = dev.pgbox.jobs.DefaultJobs.syncAll(server, p);
            return changes.isEmpty() ? "every app's default jobs are up to date" : String.join("; ", changes);
        });
        return jobs;
    }

    private void add(List<Job> jobs, String name, Setting schedule, Job.Work work) {
        if (settings.isSet(schedule)) {
            jobs.add(new Job(name, CronSchedule.parse(settings.get(schedule)), work));
        }
    }

    /** Runs until stopped. */
    public void run(Path pidFile) throws Exception {
        long me = ProcessHandle.current().pid();
        Files.writeString(pidFile, me + "\n");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopping = true));
        if ("agent".equals(server.supervisor().kind()) || "patroni".equals(server.supervisor().kind())) {
            Watchdog watchdog = new Watchdog(server, this::say);
            Thread t = new Thread(() -> {
                while (!stopping) {
                    watchdog.check();
                    try {
                        Thread.sleep(Watchdog.INTERVAL.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "watchdog");
            t.setDaemon(true);
            t.start();
            say("patroni".equals(server.supervisor().kind()) ? "watchdog on: this HA member's Patroni (and etcd) are started again "
                    + "within " + Watchdog.INTERVAL.toMillis() + "ms of their death; Patroni restarts PostgreSQL"
                    : "watchdog on: a crashed server is restarted within " + Watchdog.INTERVAL.toMillis() + "ms of its death");
        }
        new Monitor(server, this::say).start();
        AgentApi api = AgentApi.start(server, this::say);
        List<Job> jobs = jobs();
        Map<String, ZonedDateTime> next = new HashMap<>();
        ZonedDateTime now = ZonedDateTime.now();
        for (Job j : jobs) {
            next.put(j.name(), j.schedule().next(now));
            say("scheduled " + j.name() + " (" + j.schedule() + "), next at " + next.get(j.name()));
        }
        say("agent " + me + " running for " + settings.projectDir() + " with " + jobs.size() + " job(s)");
        Job leading = leaderJob();
        boolean readyAsLeader = false;
        long nextTry = System.nanoTime();
        LogTrim logTrim = new LogTrim(server.layout().logDir(), LogTrim.LIMIT_BYTES, this::say);
        long nextTrim = System.nanoTime();
        while (!stopping && stillMine(pidFile, me)) {
            now = ZonedDateTime.now();
            if (System.nanoTime() - nextTrim >= 0) {
                logTrim.run();
                nextTrim = System.nanoTime() + TRIM_EVERY.toNanos();
            }
            if (leading != null) {
                // an HA member that became the leader (a failover, a switchover) takes over the backups: its own
                // stanza and a first full backup, once per term as leader (Patroni keeps standby.signal on replicas)
                boolean leader = server.running() && !Standby.is(server.layout());
                if (leader && !readyAsLeader && System.nanoTime() - nextTry >= 0) {
                    readyAsLeader = runOne(leading);
                    nextTry = System.nanoTime() + Duration.ofMinutes(1).toNanos(); // a failed try again in a minute
                } else if (!leader) {
                    readyAsLeader = false;
                }
            }
            for (Job j : jobs) {
                if (!now.isBefore(next.get(j.name()))) {
                    runOne(j);
                    next.put(j.name(), j.schedule().next(ZonedDateTime.now()));
                }
            }
            Thread.sleep(1000);
        }
        api.close();
        say("agent " + me + " stopping");
    }

    /** On an HA member with archiving on: the stanza and first backup of a new leader; else null. */
    private Job leaderJob() {
        if (!PatroniSupervisor.isMember(server.layout()) || !settings.get(Setting.BACKUP_ARCHIVE).equals("on")) {
            return null;
        }
        return new Job("leader-backups", CronSchedule.parse("* * * * *"), p -> {
            List<String> done = new PhysicalBackups(server).afterStart(p);
            return done.isEmpty() ? "this leader's backup stanza is in place" : String.join("; ", done);
        });
    }

    /** Runs a job under the project lock; true when it ran and succeeded. */
    private boolean runOne(Job j) {
        long t0 = System.nanoTime();
        Progress progress = new Progress() {
            @Override
            public void step(String what) {
                say(j.name() + ": " + what);
            }

            @Override
            public void detail(String line) {
                say(j.name() + ":   " + line);
            }
        };
        // one changer at a time: a user's command (or the watchdog) holding the project lock makes the job wait, then skip
        try {
            ProjectLock lock = ProjectLock.acquire(server.layout(), "agent " + j.name(),
                    Duration.ofMillis(settings.millis(Setting.PGBOX_LOCK_TIMEOUT)), progress);
            try (lock) {
                say(j.name() + ": starting");
                if (!server.running()) {
                    say(j.name() + ": skipped, the server is not running");
                    return false;
                }
                String summary = j.work().run(progress);
                say(j.name() + ": ok in " + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + "s: " + summary);
                return true;
            }
        } catch (PgboxException e) {
            say(j.name() + ": FAILED: " + e.getMessage() + (e.reason() == null ? "" : " (" + e.reason().replace('\n', ' ') + ")"));
        } catch (Exception e) {
            say(j.name() + ": FAILED: " + e);
        }
        return false;
    }

    private boolean stillMine(Path pidFile, long me) {
        try {
            // the state dir, not the project folder: the agent's OS user may not reach the latter
            return Files.isDirectory(server.layout().stateDir()) && Files.exists(pidFile)
                    && Files.readString(pidFile).strip().equals(Long.toString(me));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private synchronized void say(String line) {
        log.println(Instant.now() + " " + line);
        log.flush();
    }
}
