package dev.pgbox.monitor;

import dev.pgbox.PgboxException;
import dev.pgbox.backup.BackupSet;
import dev.pgbox.backup.Drills;
import dev.pgbox.backup.PhysicalBackups;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.net.BindException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The agent's metrics: collected every PGBOX_METRICS_INTERVAL from the server and every app database,
 * a short history kept in pgbox's own schema, served as Prometheus text on 127.0.0.1:PGBOX_METRICS_PORT.
 *
 * <p>One collection is one psql call ({@link MetricsSql}); the endpoint renders the latest collection
 * held in memory. A stopped or unreachable server is {@code pg_up 0}, never an error of the endpoint.
 * pgBackRest's catalogue is slow to read, so the last backup's time is refreshed at most every minute
 * (its age is still computed at every collection); so are the databases' sizes (a stat() of every file),
 * served from the last measure in between.
 */
public final class Metrics {
    /** How often the slow facts (pgBackRest info, the drill history) are read again. */
    private static final long SLOW_FACTS_EVERY_NANOS = 60_000_000_000L;

    private final Server server;
    private final Consumer<String> log;
    private final long keepSeconds;
    /** Nanos between history writes, and when the next one is due. */
    private final long keepEvery;
    private long nextKeep = System.nanoTime();

    private volatile List<MetricSample> latest = List.of();
    private volatile DoctorReport doctor;
    private MetricsServer http;

    private Boolean writable;
    private boolean schemaReady;
    private long collections;
    private long errors;
    private String lastProblem;
    private String lastHistoryProblem;
    private String lastBackupProblem;
    private long slowFactsAt;
    private boolean slowFactsRead;
    private Instant lastBackup;
    private Instant lastDrill;
    private long sizesAt;
    private List<MetricSample> sizes = List.of();

    public Metrics(Server server, Consumer<String> log) {
        this.server = server;
        this.log = log;
        this.keepSeconds = Math.max(0, server.settings().millis(Setting.PGBOX_METRICS_HISTORY) / 1000);
        this.keepEvery = Math.max(0, server.settings().millis(Setting.PGBOX_METRICS_HISTORY_EVERY)) * 1_000_000;
    }

    /** Whether the agent serves /metrics for these settings (collection on). */
    public static boolean serves(Settings s) {
        return s.millis(Setting.PGBOX_METRICS_INTERVAL) > 0;
    }

    /** Starts serving /metrics; called once when the agent starts. */
    public void start() {
        Settings s = server.settings();
        if (!serves(s)) {
            log.accept("metrics: off (PGBOX_METRICS_INTERVAL=0): /metrics is not served");
            return;
        }
        int port = s.integer(Setting.PGBOX_METRICS_PORT);
        try {
            http = bind(port);
            log.accept("metrics: serving " + MetricsServer.url(port) + " (history " + (keepSeconds > 0
                    ? "kept " + s.get(Setting.PGBOX_METRICS_HISTORY) + " in " + MetricsSql.DATABASE + "." + MetricsSql.TABLE : "off") + ")");
        } catch (IOException e) {
            String cause = e instanceof BindException ? "port " + port + " is in use by another program (" + e.getMessage() + ")" : e.toString();
            log.accept("metrics: cannot serve /metrics on 127.0.0.1:" + port + ": " + cause
                    + "; the agent runs on without it; fix: set PGBOX_METRICS_PORT to a free port in .env "
                    + "(each project on a box needs its own), then 'pgbox stop' and 'pgbox start'");
        }
    }

    /** Binds the port, trying for two seconds: an agent restarted with new settings may follow one still letting go of it. */
    private MetricsServer bind(int port) throws IOException {
        return dev.pgbox.LoopbackBind.retrying(() -> MetricsServer.start(port, this::render));
    }

    /** One collection round (the server may be down: that is pg_up 0). */
    public void collect() {
        long t0 = System.nanoTime();
        refreshSlowFacts(t0);
        List<MetricSample> own = own();
        List<MetricSample> samples = new ArrayList<>();
        boolean up = false;
        if (server.running()) {
            try {
                samples.addAll(read(own));
                up = true;
            } catch (RuntimeException e) {
                problem("metrics: cannot read the server: " + message(e));
            }
        } else {
            problem("metrics: the server is not running (pg_up 0)");
        }
        if (!up) {
            errors++;
            samples.add(MetricSample.of("pg_up", 0));
            samples.addAll(own);
        } else {
            problem(null);
        }
        collections++;
        samples.add(MetricSample.of("pgbox_metrics_collect_duration_seconds", (System.nanoTime() - t0) / 1e9));
        samples.add(MetricSample.of("pgbox_metrics_collected_timestamp_seconds", System.currentTimeMillis() / 1000.0));
        samples.add(MetricSample.of("pgbox_metrics_collections_total", collections));
        samples.add(MetricSample.of("pgbox_metrics_collection_errors_total", errors));
        latest = List.copyOf(samples);
    }

    /** The server's samples and pgbox's own, with the databases' sizes measured at most once a minute. */
    private List<MetricSample> read(List<MetricSample> own) {
        long now = System.nanoTime();
        boolean measure = sizes.isEmpty() || now - sizesAt >= SLOW_FACTS_EVERY_NANOS;
        List<MetricSample> s = new ArrayList<>(readKeeping(own, measure));
        if (measure) {
            sizesAt = now;
            sizes = s.stream().filter(m -> m.name().equals("pg_database_size_bytes")).toList();
        } else {
            s.addAll(sizes);
        }
        return s;
    }

    /** The server's samples and pgbox's own, kept in the history when the server is writable. */
    private List<MetricSample> readKeeping(List<MetricSample> own, boolean measureSizes) {
        if (writable == null) {
            writable = !Standby.is(server.layout());
        }
        if (writable && keepSeconds > 0 && System.nanoTime() - nextKeep >= 0) {
            nextKeep = System.nanoTime() + keepEvery;
            try {
                if (!schemaReady) {
                    MetricsSql.ensureSchema(server.admin());
                    schemaReady = true;
                }
                List<MetricSample> s = MetricsSql.collect(server.admin(), own, measureSizes, keepSeconds);
                historyProblem(null);
                return learnRole(s);
            } catch (RuntimeException e) {
                // the history must never cost the metrics: read them again without it (a demoted primary is
                // read-only now; a dropped table is created again next round). Only when that read works is
                // the history itself the problem.
                schemaReady = false;
                List<MetricSample> s = learnRole(MetricsSql.collect(server.admin(), own, measureSizes, 0));
                historyProblem("metrics: history not written to " + MetricsSql.TABLE + ": " + message(e));
                return s;
            }
        }
        return learnRole(MetricsSql.collect(server.admin(), own, measureSizes, 0));
    }

    /** Remembers whether the server is a replica (no history there) from its own answer. */
    private List<MetricSample> learnRole(List<MetricSample> samples) {
        for (MetricSample s : samples) {
            if (s.name().equals("pg_replication_is_replica")) {
                writable = s.value() == 0;
            }
        }
        return samples;
    }

    /** pgbox's own samples: the doctor's findings and the age of the last backup and drill. */
    private List<MetricSample> own() {
        List<MetricSample> out = new ArrayList<>();
        DoctorReport d = doctor;
        if (d != null) {
            out.add(MetricSample.of("pgbox_doctor_findings", "severity", "ok", d.ok()));
            out.add(MetricSample.of("pgbox_doctor_findings", "severity", "warn", d.warn()));
            out.add(MetricSample.of("pgbox_doctor_findings", "severity", "critical", d.critical()));
            out.add(MetricSample.of("pgbox_doctor_duration_seconds", d.millis() / 1000.0));
        }
        long now = Instant.now().getEpochSecond();
        if (lastBackup != null) {
            out.add(MetricSample.of("pgbox_last_backup_age_seconds", Math.max(0, now - lastBackup.getEpochSecond())));
        }
        if (lastDrill != null) {
            out.add(MetricSample.of("pgbox_last_drill_age_seconds", Math.max(0, now - lastDrill.getEpochSecond())));
        }
        return out;
    }

    /** Reads the last backup (pgBackRest info, slow) and the last good drill at most once a minute. */
    private void refreshSlowFacts(long now) {
        if (slowFactsRead && now - slowFactsAt < SLOW_FACTS_EVERY_NANOS) {
            return;
        }
        slowFactsRead = true;
        slowFactsAt = now;
        try {
            var drill = new Drills(server).lastGood();
            lastDrill = drill == null ? null : Instant.parse(drill.path("at").asText());
            PhysicalBackups backups = new PhysicalBackups(server);
            if (backups.archiving() && server.running()) {
                List<BackupSet> sets = backups.list();
                lastBackup = sets.isEmpty() ? null : sets.get(sets.size() - 1).stop();
            } else if (!backups.archiving()) {
                lastBackup = null;
            }
            backupProblem(null);
        } catch (RuntimeException e) {
            backupProblem("metrics: cannot read the last backup or drill: " + message(e));
        }
    }

    /** The doctor's latest findings, for the pgbox_doctor_findings metric. */
    public void doctor(DoctorReport report) {
        this.doctor = report;
    }

    /** The latest collection as Prometheus text. */
    public String render() {
        return MetricsText.write(latest);
    }

    /** Stops serving. */
    public void stop() {
        if (http != null) {
            http.stop();
            http = null;
        }
    }

    // problems are logged when they start and when they end, not at every round
    private void problem(String p) {
        if (p != null && !p.equals(lastProblem)) {
            log.accept(p);
        } else if (p == null && lastProblem != null) {
            log.accept("metrics: the server answers again (pg_up 1)");
        }
        lastProblem = p;
    }

    private void historyProblem(String p) {
        if (p != null && !p.equals(lastHistoryProblem)) {
            log.accept(p);
        }
        lastHistoryProblem = p;
    }

    private void backupProblem(String p) {
        if (p != null && !p.equals(lastBackupProblem)) {
            log.accept(p);
        }
        lastBackupProblem = p;
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage();
        if (e instanceof PgboxException p && p.reason() != null) {
            m += " (" + p.reason().replace('\n', ' ') + ")";
        }
        return m;
    }
}
