package dev.pgbox.tune;

import static dev.pgbox.config.Size.GB;
import static dev.pgbox.config.Size.MB;

import dev.pgbox.config.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sizing rules: pure functions of the machine, the profile and the RAM share. Explicit values
 * (POSTGRES_WORK_MEM=...) always win and feed into the rules that depend on them, so an explicit
 * max_connections still bounds the tuned work_mem. Whether a value needs a restart is not decided
 * here: each {@link TunedSetting} asks the settings catalogue.
 */
public final class Tuner {
    /** Background workers kept for pg_cron jobs (cron.use_background_workers). */
    public static final int CRON_WORKERS = 4;

    /** An explicit value from the settings, with where it was written. */
    public record Override(String value, String source) {
    }

    private Tuner() {
    }

    /** The plan with the default reserve for the rest of the box ({@link BoxReserve#defaults()}). */
    public static TuningPlan plan(Machine m, Profile p, int sharePercent, Map<String, Override> overrides) {
        return plan(m, p, sharePercent, overrides, BoxReserve.defaults());
    }

    /**
     * The plan for PostgreSQL on this machine, its memory lines fitted to the RAM plan: PostgreSQL plans for
     * {@code sharePercent} of RAM, or less when RAM minus the OS's share, PgBouncer and the agent leaves less
     * ({@link RamBudget} shows every line).
     */
    public static TuningPlan plan(Machine m, Profile p, int sharePercent, Map<String, Override> overrides, BoxReserve reserve) {
        Rules r = new Rules(m, p, sharePercent, overrides, reserve);
        long budget = r.budget;

        int cpus = Math.max(1, m.cpus());
        int parallelWorkers = r.integer("max_parallel_workers", cpus, "one per CPU (" + cpus + ")");
        long maxWal = p.maxWalGb * GB;
        String walReason = p.label() + " profile";
        if (m.diskBytes() > 0 && maxWal > m.diskBytes() / 10) {
            maxWal = Math.max(GB, Size.floorMb(m.diskBytes() / 10));
            walReason += ", capped at 10% of the " + Size.human(m.diskBytes()) + " disk";
        }
        long maxWalSize = r.bytes("max_wal_size", maxWal, walReason + ": fewer forced checkpoints under write bursts");
        r.bytes("min_wal_size", Size.floorMb(maxWalSize / 4), "1/4 of max_wal_size: recycled segments, fewer new files");
        r.text("checkpoint_completion_target", "0.9", "spread checkpoint writes over 90% of the interval");
        r.text("random_page_cost", m.ssd() ? "1.1" : "4",
                (m.ssd() ? "SSD/NVMe: random reads cost about the same as sequential" : "spinning disk: random reads are slow")
                        + " (" + m.diskSource() + ")");
        r.text("effective_io_concurrency", m.ssd() ? "200" : "2",
                (m.ssd() ? "SSD/NVMe serve many reads in parallel" : "spinning disk") + " (" + m.diskSource() + ")");
        r.integer("autovacuum_max_workers", Math.max(3, Math.min(8, cpus / 2)), "half the " + cpus + " CPUs, 3 to 8");
        boolean busy = p == Profile.WEB || p == Profile.OLTP;
        r.text("autovacuum_naptime", busy ? "30s" : "1min",
                busy ? "frequent small writes: look for dead rows every 30s" : "PostgreSQL's default pace");
        r.integer("autovacuum_vacuum_cost_limit", m.ssd() ? 1000 : 200,
                m.ssd() ? "SSD absorbs vacuum I/O: 5x the default budget so vacuum keeps up" : "PostgreSQL's default on spinning disks");
        r.integer("max_worker_processes", Math.max(8, cpus) + CRON_WORKERS,
                "max(8, " + cpus + " CPUs) plus " + CRON_WORKERS + " for pg_cron jobs");
        // never fewer workers than stock PostgreSQL's 2 (max_parallel_workers caps them at the CPU count anyway):
        // with 1 on a 2-CPU box a report or an index build lost the worker stock's plan gets
        int stockWorkers = Math.min(2, cpus);
        int perGather = p == Profile.ANALYTICS ? Math.max(stockWorkers, cpus / 2) : stockWorkers;
        r.integer("max_parallel_workers_per_gather", perGather,
                p == Profile.ANALYTICS ? "half the CPUs, at least 2 like stock: large scans and sorts"
                        : "2 like stock (1 on 1 CPU): more would let parallel plans crowd out other sessions");
        r.integer("max_parallel_maintenance_workers", Math.min(4, Math.max(stockWorkers, cpus / 2)),
                "half the CPUs, at least 2 like stock (1 on 1 CPU), at most 4: parallel CREATE INDEX (HNSW builds too)");
        // stock's 0.1 per row kept a 10M-row report (sort, then an ordered-set aggregate) serial; at 0.05 its sort
        // runs in the workers under a Gather Merge: 30 s instead of 40-47 s on this 2-CPU box under load (bench/tuning.sh)
        r.text("parallel_tuple_cost", cpus > 1 ? "0.05" : "0.1",
                cpus > 1 ? "half of stock's 0.1: large sorts and scans are split among the parallel workers"
                        : "stock's 0.1: one CPU gains nothing from parallel plans");
        // measured with pgbench rw right after a checkpoint: 162 MB of WAL without compression, 31 MB with lz4 (23 MB
        // zstd) at the same server CPU per transaction; the archiver then compresses and stores a fifth of the segments
        r.text("wal_compression", "lz4",
                "full-page images after each checkpoint compressed: about a fifth of the WAL to write, archive and stream, for little CPU");
        memory(r, m, p);
        return new TuningPlan(m, p, sharePercent, budget, List.copyOf(r.out), reserve);
    }

    /** Fewest connections the plan cuts max_connections to: the 3 superuser slots and a few for apps. */
    public static final int MIN_CONNECTIONS = 10;
    /** work_mem the plan gives when RAM allows: PostgreSQL's own default, below it sorts spill sooner than stock. */
    static final long STOCK_WORK_MEM = 4 * MB;

    /**
     * The memory and connection lines, fitted so PostgreSQL's worst case ({@link RamBudget#postgresBytes}) stays within the
     * planned RAM: shared_buffers 1/4 of it, maintenance_work_mem 1/16 (analytics 1/8), then work_mem divides what is left
     * after every process's own memory among all connections and workers sorting at once. When that would fall under
     * PostgreSQL's default 4MB, max_connections is cut (PgBouncer serves more clients with fewer), then work_mem goes
     * down to 1MB, then shared_buffers and maintenance_work_mem halve. Explicit values are never changed; they feed the
     * rules and {@code pgbox plan} warns when they do not fit. Put in front of the other lines.
     */
    private static void memory(Rules r, Machine m, Profile p) {
        List<TunedSetting> rest = new ArrayList<>(r.out);
        r.out.clear();
        long budget = r.budget;
        int par = Integer.parseInt(valueIn(rest, "max_parallel_workers"));
        int av = Integer.parseInt(valueIn(rest, "autovacuum_max_workers"));
        int workers = par + CRON_WORKERS;
        int ops = p.opsPerQuery;
        long oh = BoxReserve.BACKEND_BYTES;
        String explicitConn = r.peek("max_connections");
        String explicitSb = r.peek("shared_buffers");
        String explicitMaint = r.peek("maintenance_work_mem");
        String explicitWm = r.peek("work_mem");
        String explicitWal = r.peek("wal_buffers");
        long sbT = Math.max(32 * MB, Size.floorMb(budget / 4));
        long maintT = Math.min(2 * GB, Math.max(16 * MB, Size.floorMb(budget / (p == Profile.ANALYTICS ? 8 : 16))));
        int conns = explicitConn != null ? Integer.parseInt(explicitConn) : p.maxConnections;
        long wm = 0;
        long tunedWm = 0;
        boolean grown = false;
        boolean cut = false;
        boolean shrunk = false;
        long sb = 0;
        long maint = 0;
        long wal = 0;
        // a share too small for PostgreSQL's minimum (10 connections at work_mem 1MB) takes what RAM still leaves
        for (int round = 0; round < 60; round++) {
            sb = explicitSb != null ? Size.parse(explicitSb) : sbT;
            wal = explicitWal != null ? Size.parse(explicitWal) : walBuffersFor(sb);
            maint = explicitMaint != null ? Size.parse(explicitMaint) : maintT;
            long avail = budget - sb - wal - maint * (av + BoxReserve.BUILDS_AT_ONCE) - (BoxReserve.AUX_PROCESSES + workers) * oh;
            if (explicitWm != null) {
                tunedWm = Math.max(MB, workRoom(avail, conns, workers, ops, oh));
                wm = Size.parse(explicitWm);
                if (explicitConn == null) {
                    long fit = (avail - (long) workers * ops * wm) / (ops * wm + oh);
                    if (fit < conns) {
                        conns = (int) Math.max(MIN_CONNECTIONS, fit);
                        cut = true;
                    }
                }
                break;
            }
            wm = workRoom(avail, conns, workers, ops, oh);
            if (wm >= STOCK_WORK_MEM) {
                break;
            }
            if (explicitConn == null && conns > MIN_CONNECTIONS) {
                long fit = (avail - (long) workers * ops * STOCK_WORK_MEM) / (ops * STOCK_WORK_MEM + oh);
                conns = (int) Math.max(MIN_CONNECTIONS, Math.min(conns, fit));
                cut = true;
                wm = workRoom(avail, conns, workers, ops, oh);
                if (wm >= STOCK_WORK_MEM) {
                    break;
                }
            }
            if (wm >= MB) {
                break;
            }
            if (explicitSb == null && sbT > 16 * MB) {
                sbT = Size.floorMb(sbT / 2);
                shrunk = true;
            } else if (explicitMaint == null && maintT > 4 * MB) {
                maintT = Size.floorMb(maintT / 2);
                shrunk = true;
            } else if (budget < r.rest) {
                budget = r.rest;
                grown = true;
            } else {
                wm = Math.max(MB, wm);
                break;
            }
        }
        wm = Math.min(2 * GB, Math.max(MB, wm));
        String budgetText = grown ? Size.human(budget) + " RAM leaves after the OS, PgBouncer and the agent (the "
                + r.sharePercent + "% share cannot hold 10 connections)" : budgetText(r, m);
        String profileConns = p.label() + " profile's " + p.maxConnections;
        r.integer("max_connections", explicitConn != null ? p.maxConnections : conns, cut
                ? profileConns + " do not fit the RAM plan at work_mem " + Size.format(Math.max(wm, STOCK_WORK_MEM)) + ": " + conns
                        + " do (pgbox plan); put PgBouncer in front for more clients"
                : profileConns + "; put PgBouncer in front for more clients");
        r.bytes("shared_buffers", sbT, (shrunk ? "cut to fit the RAM plan from 25%" : "25%") + " of the " + budgetText
                + "; the OS page cache holds the rest");
        r.bytes("effective_cache_size", Size.floorMb(budget * 3 / 4),
                "75% of the " + Size.human(budget) + " planned: shared_buffers plus the OS cache (a planner hint, allocates nothing)");
        r.bytes("maintenance_work_mem", maintT,
                (p == Profile.ANALYTICS ? "1/8" : "1/16") + " of the planned RAM, 16MB to 2GB"
                        + (shrunk ? " (cut to fit the RAM plan)" : "") + ": faster VACUUM and index builds; each of the " + av
                        + " autovacuum workers and " + BoxReserve.BUILDS_AT_ONCE + " build at once may use it");
        r.bytes("work_mem", explicitWm != null ? Math.min(2 * GB, tunedWm) : wm, String.format(Locale.ROOT,
                "the %s planned, less shared_buffers, wal_buffers, maintenance_work_mem x (%d autovacuum + %d build) and %s per"
                        + " process, divided among %d connections + %d workers (%d parallel, %d pg_cron) x %d sorts:"
                        + " all can sort at once within the plan (pgbox plan)",
                Size.human(budget), av, BoxReserve.BUILDS_AT_ONCE, Size.format(oh), conns, workers, par, CRON_WORKERS, ops));
        r.bytes("wal_buffers", walBuffersFor(sb), "1/32 of shared_buffers, 1MB to 16MB (one WAL segment)");
        r.out.addAll(rest);
    }

    private static long workRoom(long avail, int conns, int workers, int ops, long oh) {
        long room = avail - (long) conns * oh;
        return room <= 0 ? 0 : Size.floorMb(room / ((long) (conns + workers) * ops));
    }

    static long walBuffersFor(long sharedBuffers) {
        return Math.max(MB, Math.min(16 * MB, Size.floorMb(sharedBuffers / 32)));
    }

    private static String valueIn(List<TunedSetting> lines, String guc) {
        return lines.stream().filter(t -> t.guc().equals(guc)).findFirst().orElseThrow().value();
    }

    private static String budgetText(Rules r, Machine m) {
        String share = r.sharePercent + "% of " + Size.human(m.ramBytes()) + " RAM, " + m.ramSource();
        if (r.budget >= r.shareBudget) {
            return Size.human(r.budget) + " planned (" + share + ")";
        }
        return Size.human(r.budget) + " planned: what RAM leaves after the OS and other services ("
                + r.reserve.hostSharePercent() + "%), PgBouncer and the agent, less than " + share;
    }

    /** Collects plan lines, letting explicit values win. */
    private static final class Rules {
        final long budget;
        final long shareBudget;
        /** What RAM leaves after the OS and other services, PgBouncer and the agent. */
        final long rest;
        final int sharePercent;
        final BoxReserve reserve;
        final Map<String, Override> overrides;
        final List<TunedSetting> out = new ArrayList<>();

        Rules(Machine m, Profile p, int sharePercent, Map<String, Override> overrides, BoxReserve reserve) {
            this.shareBudget = Size.floorMb(Math.multiplyExact(m.ramBytes(), (long) sharePercent) / 100);
            this.rest = Math.max(64 * MB, Size.floorMb(m.ramBytes() - reserve.hostBytes(m.ramBytes()) - reserve.poolerBytes()
                    - reserve.agentBytes(m.ramBytes())));
            this.budget = Math.min(shareBudget, rest);
            this.sharePercent = sharePercent;
            this.reserve = reserve;
            this.overrides = overrides;
        }

        /** The explicit value of a parameter, or null when pgbox tunes it. */
        String peek(String guc) {
            Override o = overrides.get(guc);
            return o == null ? null : o.value();
        }

        long bytes(String guc, long tuned, String reason) {
            String v = add(guc, Size.format(tuned), reason);
            return Size.parse(v);
        }

        int integer(String guc, int tuned, String reason) {
            return Integer.parseInt(add(guc, Integer.toString(tuned), reason));
        }

        void text(String guc, String tuned, String reason) {
            add(guc, tuned, reason);
        }

        private String add(String guc, String tuned, String reason) {
            Override o = overrides.get(guc);
            if (o != null) {
                out.add(new TunedSetting(guc, o.value(), "set explicitly (pgbox would use " + tuned + ")", o.source()));
                return o.value();
            }
            out.add(new TunedSetting(guc, tuned, reason, "tuned"));
            return tuned;
        }
    }
}
