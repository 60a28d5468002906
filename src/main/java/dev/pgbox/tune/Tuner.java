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

    public static TuningPlan plan(Machine m, Profile p, int sharePercent, Map<String, Override> overrides) {
        Rules r = new Rules(m, p, sharePercent, overrides);
        long budget = r.budget;
        String budgetText = Size.human(budget) + " (" + sharePercent + "% of " + Size.human(m.ramBytes()) + " RAM, " + m.ramSource() + ")";

        int maxConn = r.integer("max_connections", p.maxConnections,
                p.label() + " profile; put PgBouncer in front for more clients");
        long sharedBuffers = r.bytes("shared_buffers", Math.max(128 * MB, Size.floorMb(budget / 4)),
                "25% of the " + budgetText + "; the OS page cache holds the rest");
        r.bytes("effective_cache_size", Size.floorMb(budget * 3 / 4),
                "75% of the " + Size.human(budget) + " planned: shared_buffers plus the OS cache (a planner hint, allocates nothing)");
        long maintenance = Math.min(2 * GB, Math.max(64 * MB, Size.floorMb(budget / (p == Profile.ANALYTICS ? 8 : 16))));
        r.bytes("maintenance_work_mem", maintenance,
                (p == Profile.ANALYTICS ? "1/8" : "1/16") + " of the planned RAM, at most 2GB: faster VACUUM and index builds (HNSW graphs must fit)");

        int cpus = Math.max(1, m.cpus());
        int parallelWorkers = r.integer("max_parallel_workers", cpus, "one per CPU (" + cpus + ")");
        long left = Math.max(0, budget - sharedBuffers);
        long divisor = (long) maxConn * p.opsPerQuery + parallelWorkers;
        long workMem = Math.max(4 * MB, Math.min(2 * GB, Size.floorMb(left / divisor)));
        if (workMem < MB) {
            workMem = 4 * MB;
        }
        r.bytes("work_mem", workMem, String.format(Locale.ROOT,
                "%s left after shared_buffers / (%d connections x %d sorts + %d parallel workers): all can sort at once without exhausting RAM",
                Size.human(left), maxConn, p.opsPerQuery, parallelWorkers));

        long walBuffers = Math.max(MB, Math.min(16 * MB, Size.floorMb(sharedBuffers / 32)));
        r.bytes("wal_buffers", walBuffers, "1/32 of shared_buffers, at most 16MB (one WAL segment)");
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
        return new TuningPlan(m, p, sharePercent, budget, List.copyOf(r.out));
    }

    /** Collects plan lines, letting explicit values win. */
    private static final class Rules {
        final long budget;
        final Map<String, Override> overrides;
        final List<TunedSetting> out = new ArrayList<>();

        Rules(Machine m, Profile p, int sharePercent, Map<String, Override> overrides) {
            this.budget = Size.floorMb(Math.multiplyExact(m.ramBytes(), (long) sharePercent) / 100);
            this.overrides = overrides;
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
