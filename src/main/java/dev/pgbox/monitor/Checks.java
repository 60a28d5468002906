package dev.pgbox.monitor;

import dev.pgbox.config.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The doctor's checks: pure functions from {@link Facts} and {@link Thresholds} to findings. Every
 * check that finds nothing wrong returns one OK finding, so a report shows what was looked at.
 */
public final class Checks {
    private Checks() {
    }

    /** Client connections as a share of max_connections. */
    public static Finding connections(Facts.Server f, int warnPercent, int criticalPercent) {
        int pct = f.maxConnections() == 0 ? 0 : Math.round(100f * f.connections() / f.maxConnections());
        Severity s = pct >= criticalPercent ? Severity.CRITICAL : pct >= warnPercent ? Severity.WARN : Severity.OK;
        return new Finding("connections", s, null, null, f.connections() + " of " + f.maxConnections() + " (" + pct + " %)",
                "warn " + warnPercent + " %, critical " + criticalPercent + " %",
                "each connection is a server process; at max_connections new clients are refused",
                s == Severity.OK ? null : "pool the clients (pgbox plugin install pgbouncer), or lower app connection limits "
                        + "(pgbox app create NAME --connection-limit N); pgbox report activity shows who holds them");
    }

    /** The server answers (the doctor only gets this far when it does). */
    public static Finding serverUp(boolean replica) {
        return new Finding("server_up", Severity.OK, null, null, replica ? "running (replica)" : "running", "running",
                "no client can connect while the server is down", null);
    }

    /** Sessions idle inside an open transaction: they hold locks and keep vacuum from removing dead rows. */
    public static List<Finding> idleInTransaction(Facts.Server f, Thresholds t, Predicate<String> inScope) {
        List<Finding> out = new ArrayList<>();
        String threshold = "warn " + age(t.idleWarn()) + ", critical " + age(t.idleCritical());
        for (Facts.Session s : f.sessions()) {
            if (s.state() == null || !s.state().startsWith("idle in transaction") || !inScope.test(s.database())) {
                continue;
            }
            Severity sev = higher(s.stateSeconds(), t.idleWarn(), t.idleCritical());
            if (sev != Severity.OK) {
                out.add(new Finding("idle_in_transaction", sev, s.database(), "pid " + s.pid(),
                        "user " + s.user() + " idle in transaction for " + age(s.stateSeconds()), threshold,
                        "an idle open transaction holds its locks and keeps vacuum from removing dead rows everywhere",
                        "SELECT pg_terminate_backend(" + s.pid() + ");  -- then fix the app to commit or roll back (its last query: "
                                + oneLine(s.query()) + ")"));
            }
        }
        return out.isEmpty() ? List.of(ok("idle_in_transaction", null, "no session idle in a transaction longer than "
                + age(t.idleWarn()), threshold, "an idle open transaction holds its locks and blocks vacuum")) : out;
    }

    /** Transactions open longer than the limit, whatever they are doing. */
    public static List<Finding> longTransactions(Facts.Server f, Thresholds t, Predicate<String> inScope) {
        List<Finding> out = new ArrayList<>();
        String threshold = "warn " + age(t.longTxWarn()) + ", critical " + age(t.longTxCritical());
        for (Facts.Session s : f.sessions()) {
            if (s.xactSeconds() == null || !inScope.test(s.database())) {
                continue;
            }
            Severity sev = higher(s.xactSeconds(), t.longTxWarn(), t.longTxCritical());
            if (sev != Severity.OK) {
                out.add(new Finding("long_transaction", sev, s.database(), "pid " + s.pid(),
                        "transaction open " + age(s.xactSeconds()) + " (user " + s.user() + ", " + s.state() + "): " + oneLine(s.query()),
                        threshold, "a long transaction keeps every row version since it began: tables and indexes bloat, locks pile up",
                        "SELECT pg_cancel_backend(" + s.pid() + ");  -- or pg_terminate_backend(" + s.pid()
                                + "); then split the work into shorter transactions"));
            }
        }
        return out.isEmpty() ? List.of(ok("long_transaction", null, "no transaction open longer than " + age(t.longTxWarn()), threshold,
                "long transactions bloat tables and hold locks")) : out;
    }

    /** Queries waiting for a lock another session holds, with the blockers. */
    public static List<Finding> blocked(Facts.Server f, Thresholds t, Predicate<String> inScope) {
        List<Finding> out = new ArrayList<>();
        String threshold = "warn " + age(t.blockedWarn()) + ", critical " + age(t.blockedCritical());
        for (Facts.Session s : f.sessions()) {
            if (s.blockedBy().isEmpty() || !inScope.test(s.database())) {
                continue;
            }
            Severity sev = higher(s.querySeconds(), t.blockedWarn(), t.blockedCritical());
            if (sev == Severity.OK) {
                continue;
            }
            List<String> blockers = new ArrayList<>();
            for (int pid : s.blockedBy()) {
                String q = f.sessions().stream().filter(b -> b.pid() == pid).findFirst()
                        .map(b -> " (" + b.user() + ", " + b.state() + ": " + oneLine(b.query()) + ")").orElse("");
                blockers.add("pid " + pid + q);
            }
            int first = s.blockedBy().get(0);
            out.add(new Finding("blocked_queries", sev, s.database(), "pid " + s.pid(),
                    "waiting " + age(s.querySeconds()) + " for a lock held by " + String.join("; ", blockers) + "; waiting query: "
                            + oneLine(s.query()), threshold,
                    "a blocked query holds its connection and everything queued behind it; lock queues turn into outages",
                    "end the blocker: SELECT pg_terminate_backend(" + first + ");  -- then make the app keep transactions short "
                            + "(pgbox report locks shows the whole queue)"));
        }
        return out.isEmpty() ? List.of(ok("blocked_queries", null, "no query waiting for a lock longer than " + age(t.blockedWarn()),
                threshold, "lock waits hold connections and queue other queries")) : out;
    }

    /** Tables whose dead rows are a large share of the table, with the last (auto)vacuum. */
    public static List<Finding> deadTuples(Facts.Database d, Thresholds t, double now) {
        List<Finding> out = new ArrayList<>();
        String threshold = "warn " + t.deadWarn() + " %, critical " + t.deadCritical() + " % (tables with at least " + t.deadMin()
                + " dead rows)";
        for (Facts.Table tab : d.tables()) {
            if (tab.dead() < t.deadMin()) {
                continue;
            }
            double pct = 100.0 * tab.dead() / Math.max(1, tab.live() + tab.dead());
            Severity sev = higher(pct, t.deadWarn(), t.deadCritical());
            if (sev == Severity.OK) {
                continue;
            }
            String vacuumed = tab.lastVacuum() == null ? "never vacuumed" : "last vacuum " + age(now - tab.lastVacuum()) + " ago";
            String fix = "VACUUM (ANALYZE) " + tab.name() + ";";
            if (tab.autovacuumOff()) {
                fix = "ALTER TABLE " + tab.name() + " RESET (autovacuum_enabled); " + fix + "  -- autovacuum is off for this table";
            }
            out.add(new Finding("dead_tuples", sev, d.name(), tab.name(),
                    String.format(Locale.ROOT, "%.0f %% dead (%d dead, %d live), %s%s", pct, tab.dead(), tab.live(), vacuumed,
                            tab.autovacuumOff() ? ", autovacuum_enabled=false" : ""), threshold,
                    "dead rows take space and slow every scan until vacuum removes them", fix));
        }
        return out.isEmpty() ? List.of(ok("dead_tuples", d.name(), d.tableCount() + " tables, none with a large share of dead rows",
                threshold, "dead rows take space and slow scans")) : out;
    }

    /** A database's oldest unfrozen transaction ID (the whole database wraps around at 2^31). */
    public static Finding xidAge(Facts.DatabaseStat db, Thresholds t) {
        Severity sev = higher(db.xidAge(), t.xidWarn(), t.xidCritical());
        return new Finding("xid_age", sev, db.name(), null, String.format(Locale.ROOT, "%,d transactions (%.1f %% of 2^31)",
                db.xidAge(), 100.0 * db.xidAge() / 2_147_483_648L), "warn " + millions(t.xidWarn()) + ", critical " + millions(t.xidCritical()),
                "at 2^31 - 3M the server stops accepting writes to prevent transaction ID wraparound",
                sev == Severity.OK ? null : "VACUUM (FREEZE, VERBOSE);  -- in database " + db.name()
                        + " (pgbox db query --app " + db.name() + "), first end long transactions and check that autovacuum runs");
    }

    /** Tables whose relfrozenxid is old: they are what holds the database's age up. */
    public static List<Finding> xidAgeTables(Facts.Database d, Thresholds t) {
        List<Finding> out = new ArrayList<>();
        String threshold = "warn " + millions(t.xidWarn()) + ", critical " + millions(t.xidCritical());
        for (Facts.TableXid x : d.oldTables()) {
            Severity sev = higher(x.age(), t.xidWarn(), t.xidCritical());
            if (sev != Severity.OK) {
                out.add(new Finding("xid_age_table", sev, d.name(), x.name(), String.format(Locale.ROOT, "%,d transactions", x.age()),
                        threshold, "this table keeps its database from advancing its frozen transaction ID toward wraparound",
                        "VACUUM (FREEZE, VERBOSE) " + x.name() + ";"));
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        String value = d.oldestTable() == null ? "no tables" : String.format(Locale.ROOT, "oldest %s at %,d transactions",
                d.oldestTable().name(), d.oldestTable().age());
        return List.of(ok("xid_age_table", d.name(), value, threshold, "old tables push their database toward wraparound"));
    }

    /** Share of block reads served from shared buffers, once there is enough traffic to judge. */
    public static Finding cacheHit(Facts.DatabaseStat db, Thresholds t) {
        long total = db.blocksHit() + db.blocksRead();
        String threshold = "warn below " + t.cacheWarn() + " %, critical below " + t.cacheCritical() + " % (after " + t.cacheMinReads()
                + " block reads)";
        String why = "reads that miss shared buffers go to the OS cache or disk and are many times slower";
        if (total < t.cacheMinReads()) {
            return new Finding("cache_hit", Severity.OK, db.name(), null, "not enough reads yet (" + total + " blocks)", threshold, why, null);
        }
        double pct = 100.0 * db.blocksHit() / total;
        Severity sev = pct < t.cacheCritical() ? Severity.CRITICAL : pct < t.cacheWarn() ? Severity.WARN : Severity.OK;
        return new Finding("cache_hit", sev, db.name(), null, String.format(Locale.ROOT, "%.2f %% of %d block reads", pct, total),
                threshold, why, sev == Severity.OK ? null : "give PostgreSQL more memory (POSTGRES_RAM_SHARE or POSTGRES_SHARED_BUFFERS "
                        + "in .env, then pgbox restart); pgbox report cache shows which tables miss; add indexes for sequential scans");
    }

    /** Replication lag: per standby on a primary, the replay delay on a replica. */
    public static List<Finding> replication(Facts.Server f, Thresholds t, boolean replica) {
        String threshold = "warn " + age(t.lagWarn()) + " or " + Size.human(t.lagBytesWarn()) + ", critical " + age(t.lagCritical())
                + " or " + Size.human(t.lagBytesCritical());
        String why = "a lagging standby serves stale reads and loses that much data if it must take over";
        List<Finding> out = new ArrayList<>();
        if (replica) {
            if (!f.receiving()) {
                out.add(new Finding("replication_lag", Severity.CRITICAL, null, "wal receiver", "not streaming from the primary", "streaming",
                        why, "pgbox db replica --status; check the primary is up and reachable, then see the server log"));
            } else if (f.replayDelaySeconds() != null) {
                Severity sev = higher(f.replayDelaySeconds(), t.lagWarn(), t.lagCritical());
                out.add(new Finding("replication_lag", sev, null, "replay", f.replayDelaySeconds() == 0 ? "caught up: all received WAL replayed"
                        : "replaying, last replayed commit " + age(f.replayDelaySeconds()) + " ago", threshold, why,
                        sev == Severity.OK ? null : "pgbox db replica --status; check the network and this machine's disk speed"));
            } else {
                out.add(ok("replication_lag", null, "streaming, nothing replayed yet", threshold, why));
            }
            return out;
        }
        for (Facts.Standby s : f.standbys()) {
            Severity byBytes = s.lagBytes() == null ? Severity.OK : higher(s.lagBytes(), t.lagBytesWarn(), t.lagBytesCritical());
            Severity byTime = s.lagSeconds() == null ? Severity.OK : higher(s.lagSeconds(), t.lagWarn(), t.lagCritical());
            Severity sev = byBytes.worse(byTime);
            String name = s.name() == null || s.name().isEmpty() ? s.client() : s.name();
            out.add(new Finding("replication_lag", sev, null, name, (s.lagBytes() == null ? "?" : Size.human(s.lagBytes()))
                    + " to replay, " + (s.lagSeconds() == null ? "no lag measured" : age(s.lagSeconds()) + " behind") + " (" + s.state() + ")",
                    threshold, why, sev == Severity.OK ? null : "check the standby (pgbox db replica --status on it), its disk and the network"));
        }
        return out.isEmpty() ? List.of(ok("replication_lag", null, "no standbys", threshold, why)) : out;
    }

    /**
     * WAL archiving: failing now (the last failure is newer than the last success), or stale (WAL files
     * wait for the archiver and nothing was archived for a while).
     */
    public static Finding archiver(Facts.Archiver a, int readyFiles, Thresholds t, double now) {
        String threshold = "no failure since the last success; nothing waiting longer than " + age(t.archiveStale());
        String why = "WAL that is not archived is not in the backups: point-in-time recovery stops at the last archived file, "
                + "and pg_wal grows until the disk is full";
        if (a.lastFailed() != null && (a.lastArchived() == null || a.lastFailed() > a.lastArchived())) {
            return new Finding("archiver", Severity.CRITICAL, null, a.lastFailedWal(), "failing since " + age(now - a.lastFailed())
                    + " ago (" + a.failed() + " failures, " + readyFiles + " WAL files waiting)", threshold, why,
                    "pgbox status (archiver line); the server log says why archive_command fails; check the backup repository "
                            + "(pgbox db backup --list)");
        }
        double since = a.lastArchived() == null ? Double.MAX_VALUE : now - a.lastArchived();
        if (readyFiles > 0 && since > t.archiveStale()) {
            return new Finding("archiver", Severity.WARN, null, null, readyFiles + " WAL files waiting, last archived "
                    + (a.lastArchived() == null ? "never" : age(since) + " ago"), threshold, why,
                    "check the archiver in the server log and pgbox status; the repository may be unreachable or slow");
        }
        return ok("archiver", null, a.archived() + " WAL files archived" + (a.lastArchived() == null ? "" : ", last " + age(since) + " ago")
                + (readyFiles > 0 ? ", " + readyFiles + " waiting" : ""), threshold, why);
    }

    /** Share of checkpoints forced by WAL volume: max_wal_size too small for the write load. */
    public static Finding checkpoints(Facts.Server f, Thresholds t) {
        long total = f.checkpointsTimed() + f.checkpointsRequested();
        String threshold = "warn above " + t.checkpointsReqWarn() + " % (after " + t.checkpointsMin() + " checkpoints)";
        String why = "forced checkpoints come in bursts of writes and full-page images: more I/O and WAL than timed ones";
        if (total < t.checkpointsMin()) {
            return new Finding("checkpoints", Severity.OK, null, null, "not enough checkpoints yet (" + total + ")", threshold, why, null);
        }
        double pct = 100.0 * f.checkpointsRequested() / total;
        Severity sev = pct > t.checkpointsReqWarn() ? Severity.WARN : Severity.OK;
        return new Finding("checkpoints", sev, null, null, String.format(Locale.ROOT, "%.0f %% requested (%d of %d)", pct,
                f.checkpointsRequested(), total), threshold, why,
                sev == Severity.OK ? null : "raise POSTGRES_MAX_WAL_SIZE in .env (then pgbox restart or pgbox tune --apply)");
    }

    /**
     * One file system: how full, and how soon full at the last day's growth ({@code daysUntilFull} null when
     * not growing; {@code measured} false while there is less than an hour of samples to tell).
     */
    public static Finding disk(String what, String path, long total, long usable, Double daysUntilFull, boolean measured, Thresholds t) {
        int pct = total <= 0 ? 0 : (int) Math.round(100.0 * (total - usable) / total);
        Severity byUse = higher(pct, t.diskWarn(), t.diskCritical());
        Severity byDays = daysUntilFull == null ? Severity.OK : daysUntilFull <= t.diskDaysCritical() ? Severity.CRITICAL
                : daysUntilFull <= t.diskDaysWarn() ? Severity.WARN : Severity.OK;
        Severity sev = byUse.worse(byDays);
        String days = !measured ? "growth not known yet (the doctor needs samples an hour apart)"
                : daysUntilFull == null ? "not growing" : String.format(Locale.ROOT, "full in %.1f days at the last day's growth",
                daysUntilFull);
        return new Finding("disk", sev, null, what, pct + " % used (" + Size.human(usable) + " free of " + Size.human(total) + "), " + days,
                "warn " + t.diskWarn() + " %, critical " + t.diskCritical() + " %, or full within " + t.diskDaysWarn() + " / "
                        + t.diskDaysCritical() + " days",
                "a full disk stops the server: it cannot write WAL", sev == Severity.OK ? null
                : "free space on the file system of " + path + " or grow it; pgbox report table-sizes shows the biggest tables, "
                        + "pgbox db backup --list the backups kept (BACKUP_RETENTION_*)");
    }

    /** Indexes left invalid (a failed CREATE INDEX CONCURRENTLY): written on every change, never used. */
    public static List<Finding> invalidIndexes(Facts.Database d) {
        List<Finding> out = new ArrayList<>();
        for (Facts.Index i : d.invalidIndexes()) {
            out.add(new Finding("invalid_index", Severity.WARN, d.name(), i.name(), "invalid index on " + i.table() + " ("
                    + Size.human(i.bytes()) + ")", "indisvalid = true",
                    "an invalid index is updated by every write but never used by queries (a failed CREATE INDEX CONCURRENTLY)",
                    "DROP INDEX CONCURRENTLY " + i.name() + ";  -- then create it again (fix the duplicates first for a unique index), "
                            + "or REINDEX INDEX CONCURRENTLY " + i.name() + ";"));
        }
        return out.isEmpty() ? List.of(ok("invalid_index", d.name(), "no invalid indexes", "indisvalid = true",
                "invalid indexes cost writes and help no query")) : out;
    }

    /**
     * Indexes never scanned since the statistics began (not primary keys, unique or constraint indexes),
     * reported once the doctor has seen them unused for {@code minAgeSeconds}: a new index has had no
     * time to be used. {@code firstSeen} maps {@link #unusedKey} to when it was first seen unused.
     */
    public static List<Finding> unusedIndexes(Facts.Database d, Double statsReset, java.util.Map<String, Double> firstSeen,
                                              double minAgeSeconds, double now) {
        String since = statsReset == null ? "since the statistics began (never reset)"
                : "since the statistics were reset at " + Instant.ofEpochSecond(statsReset.longValue());
        String threshold = "at least 1 scan within " + age(minAgeSeconds) + " of being seen unused";
        List<Finding> out = new ArrayList<>();
        int young = 0;
        for (Facts.Index i : d.unusedIndexes()) {
            double seen = firstSeen.getOrDefault(unusedKey(d.name(), i.name()), now);
            if (now - seen < minAgeSeconds) {
                young++;
                continue;
            }
            out.add(new Finding("unused_index", Severity.WARN, d.name(), i.name(), "0 scans " + since + " on " + i.table() + " ("
                    + Size.human(i.bytes()) + "), unused for " + age(now - seen) + " of the doctor's watch", threshold,
                    "an unused index slows every write and takes space and cache; keep it if a rare job needs it",
                    "DROP INDEX CONCURRENTLY " + i.name() + ";  -- after checking replicas and monthly jobs do not use it"));
        }
        return out.isEmpty() ? List.of(ok("unused_index", d.name(), young == 0 ? "every index has been scanned " + since
                : young + " index(es) with no scans yet, watched for less than " + age(minAgeSeconds), threshold,
                "unused indexes slow writes")) : out;
    }

    /** The identity of an unused index in the doctor's memory. */
    public static String unusedKey(String database, String index) {
        return database + "/" + index;
    }

    /** Foreign keys with no index starting with their columns: every delete or key update on the parent scans the child. */
    public static List<Finding> fkWithoutIndex(Facts.Database d) {
        List<Finding> out = new ArrayList<>();
        for (Facts.ForeignKey k : d.foreignKeysWithoutIndex()) {
            out.add(new Finding("fk_without_index", Severity.WARN, d.name(), k.table() + "." + k.name(), "no index starts with ("
                    + k.columns() + ")", "an index whose first columns are the key's",
                    "deleting or updating a parent row scans the whole child table under lock, and joins on the key are slow",
                    "CREATE INDEX CONCURRENTLY ON " + k.table() + " (" + k.columns() + ");"));
        }
        return out.isEmpty() ? List.of(ok("fk_without_index", d.name(), "every foreign key has an index",
                "an index whose first columns are the key's", "unindexed foreign keys make parent deletes scan the child")) : out;
    }

    /** Sequences that used most of their range (an int serial stops at 2^31 - 1). */
    public static List<Finding> sequences(Facts.Database d, Thresholds t) {
        String threshold = "warn " + t.sequenceWarn() + " %, critical " + t.sequenceCritical() + " %";
        List<Finding> out = new ArrayList<>();
        for (Facts.Sequence s : d.sequences()) {
            Severity sev = higher(s.usedPercent(), t.sequenceWarn(), t.sequenceCritical());
            if (sev != Severity.OK) {
                out.add(new Finding("sequence", sev, d.name(), s.name(), String.format(Locale.ROOT, "%.1f %% used (%d of %d)", s.usedPercent(),
                        s.lastValue(), s.maxValue()), threshold, "when a sequence reaches its end every insert that needs a new id fails",
                        "ALTER SEQUENCE " + s.name() + " AS bigint MAXVALUE 9223372036854775807;  -- and ALTER TABLE ... ALTER COLUMN ... "
                                + "TYPE bigint on the column it feeds"));
            }
        }
        return out.isEmpty() ? List.of(ok("sequence", d.name(), d.sequenceCount() + " sequences, none near its end", threshold,
                "an exhausted sequence makes inserts fail")) : out;
    }

    /**
     * The age of the newest good backup (or drill) against its schedule's period.
     *
     * @param check "backup_age" or "drill_age"
     * @param lastEpoch when the last good one finished (epoch seconds), null when never
     * @param sinceEpoch for "never": since when one was due (e.g. the first backup), or null when nothing is due yet
     */
    public static Finding scheduleAge(String check, String what, Double lastEpoch, Double sinceEpoch, double periodSeconds, double now,
                                      String schedule, Thresholds t, String fix) {
        if (schedule == null || schedule.isBlank()) {
            Double last = lastEpoch;
            return ok(check, null, "not scheduled (its schedule setting is empty)" + (last == null ? "" : "; last good " + what + " "
                    + age(now - last) + " ago"), "none without a schedule", "only scheduled work has an age to hold it against");
        }
        String threshold = "warn after " + t.backupWarnPeriods() + " periods of '" + schedule + "' (" + age(t.backupWarnPeriods() * periodSeconds)
                + "), critical after " + t.backupCriticalPeriods() + " (" + age(t.backupCriticalPeriods() * periodSeconds) + ")";
        String why = "a backup nobody took (or a restore nobody tried) is found missing on the day it is needed";
        Double from = lastEpoch != null ? lastEpoch : sinceEpoch;
        if (from == null) {
            return ok(check, null, "no " + what + " yet", threshold, why);
        }
        double ageSeconds = now - from;
        Severity sev = higher(ageSeconds, t.backupWarnPeriods() * periodSeconds, t.backupCriticalPeriods() * periodSeconds);
        String value = lastEpoch != null ? "last good " + what + " " + age(ageSeconds) + " ago"
                : "no good " + what + " ever (one is due since " + age(ageSeconds) + " ago)";
        return new Finding(check, sev, null, null, value, threshold, why, sev == Severity.OK ? null : fix);
    }

    /** Crash restarts: new since the doctor's last run, or recent. */
    public static Finding crashes(int count, int newSinceLastCheck, Double lastEpoch, String lastBy, double now, Thresholds t) {
        String threshold = "no crash within " + age(t.crashWindow()) + " and none new since the last check";
        String why = "a crash drops every connection and rolls back open work; repeated crashes point at memory, disk or a bug";
        if (count == 0 || lastEpoch == null) {
            return ok("crash_restarts", null, "no crash restarts", threshold, why);
        }
        double ago = now - lastEpoch;
        Severity sev = newSinceLastCheck > 0 || ago <= t.crashWindow() ? Severity.WARN : Severity.OK;
        return new Finding("crash_restarts", sev, null, null, count + " crash restarts in total, " + newSinceLastCheck
                + " new since the last check, last " + age(ago) + " ago (restarted by " + lastBy + ")", threshold, why,
                sev == Severity.OK ? null : "read the server log around the crash (pgbox status shows the log dir); "
                        + "check memory (dmesg for the OOM killer) and disk");
    }

    /** The agent (backups, watchdog, alerts, metrics) runs when PGBOX_AGENT=on. */
    public static Finding agent(boolean wanted, boolean running, boolean prod) {
        String why = "the agent takes the scheduled backups and drills, restarts a crashed server and sends the alerts";
        if (!wanted) {
            return ok("agent", null, "off (PGBOX_AGENT=off)", "running when PGBOX_AGENT=on", why + "; with it off, nothing does that");
        }
        Severity sev = running ? Severity.OK : prod ? Severity.CRITICAL : Severity.WARN;
        return new Finding("agent", sev, null, null, running ? "running" : "not running", "running when PGBOX_AGENT=on", why,
                running ? null : "pgbox start (starts the agent; pgbox status shows it, its log is in the log dir)");
    }

    /**
     * Whether the server comes back after a reboot. Only prod must: a dev box (a laptop, a container
     * without systemd as PID 1) is started by hand, so there it is an OK finding that says so.
     */
    public static Finding startsAtBoot(boolean startsAtBoot, boolean prod, String describe) {
        String why = "after a reboot a server that does not start by itself stays down until someone notices";
        if (startsAtBoot) {
            return ok("start_at_boot", null, "yes: " + describe, "starts at boot in prod", why);
        }
        if (!prod) {
            return ok("start_at_boot", null, "no (fine in dev: " + describe + ")", "starts at boot in prod", why);
        }
        return new Finding("start_at_boot", Severity.WARN, null, null, "no: " + describe, "starts at boot in prod", why,
                "run pgbox on a machine where systemd is PID 1 with PGBOX_SUPERVISOR=auto or systemd, then pgbox restart");
    }

    /** Days until a file system is full from two samples of its used bytes, or null when it does not grow. */
    public static Double daysUntilFull(long usedThen, double thenEpoch, long usedNow, double nowEpoch, long usable) {
        double seconds = nowEpoch - thenEpoch;
        if (seconds <= 0 || usedNow <= usedThen) {
            return null;
        }
        double perSecond = (usedNow - usedThen) / seconds;
        return usable / perSecond / 86_400;
    }

    static Finding ok(String check, String database, String value, String threshold, String why) {
        return new Finding(check, Severity.OK, database, null, value, threshold, why, null);
    }

    /** Severity of a value that is worse when higher. */
    static Severity higher(double value, double warn, double critical) {
        return value >= critical ? Severity.CRITICAL : value >= warn ? Severity.WARN : Severity.OK;
    }

    /** A duration for people: "45 s", "4 min", "2 h 5 min", "3 d 4 h". */
    static String age(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s < 600 && s % 60 != 0 ? " " + s % 60 + " s" : "");
        }
        if (s < 86_400) {
            return s / 3600 + " h" + (s % 3600 / 60 != 0 ? " " + s % 3600 / 60 + " min" : "");
        }
        return s / 86_400 + " d" + (s % 86_400 / 3600 != 0 ? " " + s % 86_400 / 3600 + " h" : "");
    }

    private static String millions(long n) {
        return n % 1_000_000_000 == 0 ? n / 1_000_000_000 + "B" : n % 1_000_000 == 0 ? n / 1_000_000 + "M" : Long.toString(n);
    }

    private static String oneLine(String query) {
        if (query == null) {
            return "";
        }
        String q = query.replaceAll("\\s+", " ").strip();
        return q.length() > 80 ? q.substring(0, 77) + "..." : q;
    }
}
