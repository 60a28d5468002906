package dev.pgbox.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each check's thresholds and severities, on facts built by hand (no server). */
class ChecksTest {
    static final Thresholds T = Thresholds.defaults();
    static final double NOW = 1_800_000_000;

    static Facts.Server withSessions(Facts.Session... sessions) {
        Facts.Server base = new Facts.Server(1, 100, 3);
        return new Facts.Server(base.connections(), 100, 3, false, NOW, List.of(sessions), List.of(), 0, 0, base.archiver(), List.of(),
                null, false, List.of());
    }

    static Facts.Session session(int pid, String db, String state, Double xact, double since, double queryAge, List<Integer> blockedBy) {
        return new Facts.Session(pid, db, "u", state, xact, since, queryAge, "SELECT 1", blockedBy);
    }

    static Facts.Database db(List<Facts.Table> tables, List<Facts.Sequence> seqs) {
        return new Facts.Database("shop", tables, List.of(), new Facts.TableXid("public.t", 10), List.of(), List.of(), List.of(), seqs,
                tables.size(), seqs.size());
    }

    @Test
    void defaultsComeFromTheCatalogue() {
        assertThat(T.connectionsWarn()).isEqualTo(80);
        assertThat(T.connectionsCritical()).isEqualTo(90);
        assertThat(T.longTxWarn()).isEqualTo(300);
        assertThat(T.xidWarn()).isEqualTo(200_000_000L);
        assertThat(T.xidCritical()).isEqualTo(1_000_000_000L);
        assertThat(T.cacheWarn()).isEqualTo(99);
        assertThat(T.cacheCritical()).isEqualTo(95);
        assertThat(T.checkpointsReqWarn()).isEqualTo(10);
        assertThat(T.diskWarn()).isEqualTo(80);
        assertThat(T.diskCritical()).isEqualTo(90);
        assertThat(T.sequenceWarn()).isEqualTo(75);
        assertThat(T.sequenceCritical()).isEqualTo(90);
    }

    @Test
    void connections() {
        assertThat(Checks.connections(new Facts.Server(79, 100, 3), 80, 90).severity()).isEqualTo(Severity.OK);
        assertThat(Checks.connections(new Facts.Server(80, 100, 3), 80, 90).severity()).isEqualTo(Severity.WARN);
        Finding crit = Checks.connections(new Facts.Server(90, 100, 3), 80, 90);
        assertThat(crit.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(crit.value()).isEqualTo("90 of 100 (90 %)");
        assertThat(crit.fix()).isNotNull();
    }

    @Test
    void idleInTransactionBySessionAge() {
        Facts.Server f = withSessions(session(11, "shop", "idle in transaction", 20.0, 20, 20, List.of()),
                session(12, "shop", "idle in transaction", 120.0, 120, 120, List.of()),
                session(13, "other", "idle in transaction (aborted)", 300.0, 300, 300, List.of()),
                session(14, "shop", "active", 900.0, 900, 900, List.of()));
        List<Finding> all = Checks.idleInTransaction(f, T, db -> true);
        assertThat(all).extracting(Finding::object).containsExactly("pid 12", "pid 13");
        assertThat(all).extracting(Finding::severity).containsExactly(Severity.WARN, Severity.CRITICAL);
        assertThat(all.get(0).fix()).startsWith("SELECT pg_terminate_backend(12);");
        assertThat(Checks.idleInTransaction(f, T, "shop"::equals)).extracting(Finding::object).containsExactly("pid 12");
        List<Finding> none = Checks.idleInTransaction(withSessions(), T, db -> true);
        assertThat(none).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Severity.OK);
            assertThat(x.fix()).isNull();
        });
    }

    @Test
    void longTransactionsByTransactionAge() {
        Facts.Server f = withSessions(session(1, "shop", "active", 299.0, 1, 1, List.of()),
                session(2, "shop", "active", 301.0, 1, 1, List.of()),
                session(3, "shop", "idle", null, 9999, 9999, List.of()),
                session(4, "shop", "active", 3600.0, 1, 1, List.of()));
        assertThat(Checks.longTransactions(f, T, db -> true)).extracting(Finding::object, Finding::severity)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pid 2", Severity.WARN),
                        org.assertj.core.groups.Tuple.tuple("pid 4", Severity.CRITICAL));
    }

    @Test
    void blockedQueriesNameTheirBlocker() {
        Facts.Session blocker = new Facts.Session(7, "shop", "ann", "idle in transaction", 60.0, 60, 60, "LOCK TABLE items", List.of());
        Facts.Server f = withSessions(blocker, session(8, "shop", "active", 20.0, 20, 20, List.of(7)),
                session(9, "shop", "active", 5.0, 5, 5, List.of(7)), session(10, "shop", "active", 400.0, 400, 400, List.of(7)));
        List<Finding> out = Checks.blocked(f, T, db -> true);
        assertThat(out).extracting(Finding::object).containsExactly("pid 8", "pid 10");
        assertThat(out).extracting(Finding::severity).containsExactly(Severity.WARN, Severity.CRITICAL);
        assertThat(out.get(0).value()).contains("held by pid 7 (ann, idle in transaction: LOCK TABLE items)");
        assertThat(out.get(0).fix()).startsWith("end the blocker: SELECT pg_terminate_backend(7);");
    }

    @Test
    void deadTuplesByShareWithAutovacuumOffInTheFix() {
        Facts.Database d = db(List.of(new Facts.Table("public.a", 9000, 1000, NOW - 3600, false),
                new Facts.Table("public.b", 700, 300, null, false),
                new Facts.Table("public.c", 1000, 4000, null, true),
                new Facts.Table("public.d", 10, 500, null, false)), List.of());
        List<Finding> out = Checks.deadTuples(d, T, NOW);
        // a: 10 % (ok); b: 30 % but only 300 dead rows (below the minimum); d: below the minimum too
        assertThat(out).singleElement().satisfies(f -> {
            assertThat(f.object()).isEqualTo("public.c");
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.value()).startsWith("80 % dead").contains("never vacuumed").contains("autovacuum_enabled=false");
            assertThat(f.fix()).startsWith("ALTER TABLE public.c RESET (autovacuum_enabled); VACUUM (ANALYZE) public.c;");
        });
        Finding warn = Checks.deadTuples(db(List.of(new Facts.Table("public.e", 7000, 3000, NOW - 7200, false)), List.of()), T, NOW).get(0);
        assertThat(warn.severity()).isEqualTo(Severity.WARN);
        assertThat(warn.value()).contains("last vacuum 2 h ago");
        assertThat(warn.fix()).isEqualTo("VACUUM (ANALYZE) public.e;");
        assertThat(Checks.deadTuples(db(List.of(), List.of()), T, NOW)).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.OK));
    }

    @Test
    void xidAgeOfDatabasesAndTables() {
        assertThat(Checks.xidAge(new Facts.DatabaseStat("shop", 199_999_999, 0, 0, null), T).severity()).isEqualTo(Severity.OK);
        assertThat(Checks.xidAge(new Facts.DatabaseStat("shop", 200_000_000, 0, 0, null), T).severity()).isEqualTo(Severity.WARN);
        Finding crit = Checks.xidAge(new Facts.DatabaseStat("shop", 1_000_000_000, 0, 0, null), T);
        assertThat(crit.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(crit.threshold()).isEqualTo("warn 200M, critical 1B");
        assertThat(crit.fix()).contains("VACUUM (FREEZE");
        Facts.Database d = new Facts.Database("shop", List.of(), List.of(new Facts.TableXid("public.old", 250_000_000)),
                new Facts.TableXid("public.old", 250_000_000), List.of(), List.of(), List.of(), List.of(), 1, 0);
        assertThat(Checks.xidAgeTables(d, T)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.WARN);
            assertThat(f.fix()).isEqualTo("VACUUM (FREEZE, VERBOSE) public.old;");
        });
    }

    @Test
    void cacheHitOnlyWithEnoughReads() {
        assertThat(Checks.cacheHit(new Facts.DatabaseStat("shop", 1, 50, 50, null), T).value()).startsWith("not enough reads yet");
        assertThat(Checks.cacheHit(new Facts.DatabaseStat("shop", 1, 99_500, 500, null), T).severity()).isEqualTo(Severity.OK);
        assertThat(Checks.cacheHit(new Facts.DatabaseStat("shop", 1, 98_000, 2_000, null), T).severity()).isEqualTo(Severity.WARN);
        assertThat(Checks.cacheHit(new Facts.DatabaseStat("shop", 1, 90_000, 10_000, null), T).severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void replicationLagOnPrimaryAndReplica() {
        Facts.Server base = withSessions();
        Facts.Server primary = new Facts.Server(1, 100, 3, false, NOW, List.of(), List.of(), 0, 0, base.archiver(),
                List.of(new Facts.Standby("r1", "10.0.0.2", "streaming", 1024L, 0.5),
                        new Facts.Standby("r2", "10.0.0.3", "streaming", 300L * 1024 * 1024, 2.0),
                        new Facts.Standby("r3", "10.0.0.4", "catchup", 10L, 900.0)), null, false, List.of());
        assertThat(Checks.replication(primary, T, false)).extracting(Finding::object, Finding::severity).containsExactly(
                org.assertj.core.groups.Tuple.tuple("r1", Severity.OK), org.assertj.core.groups.Tuple.tuple("r2", Severity.WARN),
                org.assertj.core.groups.Tuple.tuple("r3", Severity.CRITICAL));
        assertThat(Checks.replication(base, T, false)).singleElement().satisfies(f -> assertThat(f.value()).isEqualTo("no standbys"));
        Facts.Server lagging = new Facts.Server(1, 100, 3, true, NOW, List.of(), List.of(), 0, 0, base.archiver(), List.of(), 120.0, true,
                List.of());
        assertThat(Checks.replication(lagging, T, true)).singleElement().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.WARN));
        Facts.Server cut = new Facts.Server(1, 100, 3, true, NOW, List.of(), List.of(), 0, 0, base.archiver(), List.of(), 1.0, false,
                List.of());
        assertThat(Checks.replication(cut, T, true)).singleElement().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.CRITICAL));
        // caught up behind a quiet primary: no delay, however old the last commit
        Facts.Server caughtUp = new Facts.Server(1, 100, 3, true, NOW, List.of(), List.of(), 0, 0, base.archiver(), List.of(), 0.0, true,
                List.of());
        assertThat(Checks.replication(caughtUp, T, true)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.OK);
            assertThat(f.value()).startsWith("caught up");
        });
    }

    @Test
    void archiverFailingOrStale() {
        Facts.Archiver failing = new Facts.Archiver(10, NOW - 600, 3, NOW - 60, "000000010000000000000007");
        Finding f = Checks.archiver(failing, 2, T, NOW);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.object()).isEqualTo("000000010000000000000007");
        Facts.Archiver recovered = new Facts.Archiver(10, NOW - 30, 3, NOW - 60, "x");
        assertThat(Checks.archiver(recovered, 0, T, NOW).severity()).isEqualTo(Severity.OK);
        Facts.Archiver quiet = new Facts.Archiver(10, NOW - 7200, 0, null, null);
        assertThat(Checks.archiver(quiet, 0, T, NOW).severity()).isEqualTo(Severity.OK); // nothing waiting: a quiet server
        assertThat(Checks.archiver(quiet, 4, T, NOW).severity()).isEqualTo(Severity.WARN);
    }

    @Test
    void requestedCheckpointsShare() {
        Facts.Server base = withSessions();
        Facts.Server few = new Facts.Server(1, 100, 3, false, NOW, List.of(), List.of(), 2, 8, base.archiver(), List.of(), null, false,
                List.of());
        assertThat(Checks.checkpoints(few, T).value()).startsWith("not enough checkpoints yet");
        Facts.Server many = new Facts.Server(1, 100, 3, false, NOW, List.of(), List.of(), 80, 20, base.archiver(), List.of(), null, false,
                List.of());
        assertThat(Checks.checkpoints(many, T).severity()).isEqualTo(Severity.WARN);
        Facts.Server fine = new Facts.Server(1, 100, 3, false, NOW, List.of(), List.of(), 95, 5, base.archiver(), List.of(), null, false,
                List.of());
        assertThat(Checks.checkpoints(fine, T).severity()).isEqualTo(Severity.OK);
    }

    @Test
    void diskByUseAndByDaysUntilFull() {
        long gb = 1L << 30;
        assertThat(Checks.disk("data", "/d", 100 * gb, 50 * gb, null, false, T).severity()).isEqualTo(Severity.OK);
        assertThat(Checks.disk("data", "/d", 100 * gb, 50 * gb, null, false, T).value()).isEqualTo(
                "50 % used (50.0 GB free of 100.0 GB), growth not known yet (the doctor needs samples an hour apart)");
        assertThat(Checks.disk("data", "/d", 100 * gb, 50 * gb, null, true, T).value()).endsWith("not growing");
        assertThat(Checks.disk("data", "/d", 100 * gb, 15 * gb, null, false, T).severity()).isEqualTo(Severity.WARN);
        assertThat(Checks.disk("data", "/d", 100 * gb, 5 * gb, null, false, T).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(Checks.disk("data", "/d", 100 * gb, 50 * gb, 10.0, true, T).severity()).isEqualTo(Severity.WARN);
        assertThat(Checks.disk("data", "/d", 100 * gb, 50 * gb, 2.0, true, T).severity()).isEqualTo(Severity.CRITICAL);
        // 1 GB more used in 12 h, 10 GB free: 5 days
        assertThat(Checks.daysUntilFull(40 * gb, NOW - 43_200, 41 * gb, NOW, 10 * gb)).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(Checks.daysUntilFull(41 * gb, NOW - 43_200, 40 * gb, NOW, 10 * gb)).isNull();
    }

    @Test
    void diskSampleBaselineIsTheOldestOfTheLastDayOlderThanAnHour() {
        List<DoctorState.Sample> s = List.of(new DoctorState.Sample(NOW - 100_000, 1, 1), new DoctorState.Sample(NOW - 80_000, 2, 2),
                new DoctorState.Sample(NOW - 4_000, 3, 3), new DoctorState.Sample(NOW - 60, 4, 4));
        assertThat(DoctorState.baseline(s, NOW).dataUsed()).isEqualTo(2);
        assertThat(DoctorState.baseline(List.of(new DoctorState.Sample(NOW - 60, 4, 4)), NOW)).isNull();
    }

    @Test
    void indexesForeignKeysAndSequences() {
        Facts.Database d = new Facts.Database("shop", List.of(), List.of(), null, List.of(new Facts.Index("public.bad", "t", 8192)),
                List.of(new Facts.Index("public.idle", "t", 16384)), List.of(new Facts.ForeignKey("t_ref_fkey", "t", "ref, kind")),
                List.of(new Facts.Sequence("public.s1", 80, 100, 80), new Facts.Sequence("public.s2", 95, 100, 95)), 1, 3);
        assertThat(Checks.invalidIndexes(d)).singleElement().satisfies(f -> assertThat(f.fix()).startsWith("DROP INDEX CONCURRENTLY public.bad;"));
        assertThat(Checks.unusedIndexes(d, null, java.util.Map.of(), 0, NOW)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.WARN);
            assertThat(f.value()).contains("never reset");
        });
        assertThat(Checks.unusedIndexes(d, NOW, java.util.Map.of(), 0, NOW).get(0).value()).contains("reset at 2027-01-15T08:00:00Z");
        // a week's grace: an index first seen unused an hour ago is watched, one seen unused 8 days ago is reported
        double week = 7 * 86_400;
        assertThat(Checks.unusedIndexes(d, null, java.util.Map.of("shop/public.idle", NOW - 3_600), week, NOW)).singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo(Severity.OK);
                    assertThat(f.value()).contains("1 index(es) with no scans yet");
                });
        assertThat(Checks.unusedIndexes(d, null, java.util.Map.of("shop/public.idle", NOW - 8 * 86_400), week, NOW)).singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo(Severity.WARN);
                    assertThat(f.value()).contains("unused for 8");
                });
        assertThat(Checks.fkWithoutIndex(d)).singleElement()
                .satisfies(f -> assertThat(f.fix()).isEqualTo("CREATE INDEX CONCURRENTLY ON t (ref, kind);"));
        assertThat(Checks.sequences(d, T)).extracting(Finding::severity).containsExactly(Severity.WARN, Severity.CRITICAL);
        Facts.Database clean = db(List.of(), List.of());
        for (List<Finding> ok : List.of(Checks.invalidIndexes(clean), Checks.unusedIndexes(clean, null, java.util.Map.of(), 0, NOW),
                Checks.fkWithoutIndex(clean),
                Checks.sequences(clean, T))) {
            assertThat(ok).singleElement().satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.OK));
        }
    }

    @Test
    void backupAndDrillAgeAgainstTheirSchedule() {
        double day = 86_400;
        assertThat(Checks.scheduleAge("backup_age", "physical backup", NOW - day, null, day, NOW, "30 2 * * *", T, "pgbox db backup")
                .severity()).isEqualTo(Severity.OK);
        Finding warn = Checks.scheduleAge("backup_age", "physical backup", NOW - 2.5 * day, null, day, NOW, "30 2 * * *", T, "pgbox db backup");
        assertThat(warn.severity()).isEqualTo(Severity.WARN);
        assertThat(warn.fix()).isEqualTo("pgbox db backup");
        assertThat(Checks.scheduleAge("backup_age", "physical backup", NOW - 4 * day, null, day, NOW, "30 2 * * *", T, "x").severity())
                .isEqualTo(Severity.CRITICAL);
        // no schedule (an empty setting): nothing is due, so nothing is late, however old the last one
        Finding unscheduled = Checks.scheduleAge("backup_age", "physical backup", NOW - 40 * day, null, 0, NOW, "", T, "x");
        assertThat(unscheduled.severity()).isEqualTo(Severity.OK);
        assertThat(unscheduled.value()).startsWith("not scheduled").contains("40 d");
        assertThat(Checks.scheduleAge("drill_age", "restore drill", null, null, 7 * day, NOW, "0 5 * * 0", T, "x").severity())
                .isEqualTo(Severity.OK);
        Finding never = Checks.scheduleAge("drill_age", "restore drill", null, NOW - 15 * day, 7 * day, NOW, "0 5 * * 0", T, "pgbox db verify");
        assertThat(never.severity()).isEqualTo(Severity.WARN);
        assertThat(never.value()).startsWith("no good restore drill ever");
        assertThat(Doctor.period("30 2 * * *")).isEqualTo(day);
        assertThat(Doctor.period("0 5 * * 0")).isEqualTo(7 * day);
    }

    @Test
    void crashesAgentAndStartAtBoot() {
        assertThat(Checks.crashes(0, 0, null, "", NOW, T).severity()).isEqualTo(Severity.OK);
        assertThat(Checks.crashes(3, 1, NOW - 10 * 86_400, "agent", NOW, T).severity()).isEqualTo(Severity.WARN);
        assertThat(Checks.crashes(3, 0, NOW - 3_600, "agent", NOW, T).severity()).isEqualTo(Severity.WARN);
        assertThat(Checks.crashes(3, 0, NOW - 10 * 86_400, "agent", NOW, T).severity()).isEqualTo(Severity.OK);

        assertThat(Checks.agent(true, true, true).severity()).isEqualTo(Severity.OK);
        assertThat(Checks.agent(true, false, false).severity()).isEqualTo(Severity.WARN);
        assertThat(Checks.agent(true, false, true).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(Checks.agent(false, false, true).severity()).isEqualTo(Severity.OK);

        assertThat(Checks.startsAtBoot(false, true, "pg_ctl").severity()).isEqualTo(Severity.WARN);
        Finding dev = Checks.startsAtBoot(false, false, "pg_ctl");
        assertThat(dev.severity()).isEqualTo(Severity.OK);
        assertThat(dev.value()).contains("fine in dev");
        assertThat(Checks.startsAtBoot(true, true, "systemd").severity()).isEqualTo(Severity.OK);
    }

    @Test
    void reportSortsWorstFirstAndExitsByTheWorst() {
        DoctorReport r = DoctorReport.of("now", List.of("app"), 1, List.of(Checks.serverUp(false),
                Checks.connections(new Facts.Server(95, 100, 3), 80, 90), Checks.agent(true, false, false)));
        assertThat(r.findings()).extracting(Finding::severity).containsExactly(Severity.CRITICAL, Severity.WARN, Severity.OK);
        assertThat(r.worst().exitCode()).isEqualTo(2);
    }

    @Test
    void ages() {
        assertThat(Checks.age(45)).isEqualTo("45 s");
        assertThat(Checks.age(250)).isEqualTo("4 min 10 s");
        assertThat(Checks.age(7500)).isEqualTo("2 h 5 min");
        assertThat(Checks.age(3 * 86_400 + 4 * 3600)).isEqualTo("3 d 4 h");
    }
}
