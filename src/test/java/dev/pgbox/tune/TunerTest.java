package dev.pgbox.tune;

import static dev.pgbox.config.Size.GB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whole plans for three machines, every value worked out by hand from the rules in the README and
 * Tuner's Javadoc (the arithmetic is in the comments), so a changed rule or a slipped constant fails
 * here instead of being recomputed by the same formula.
 */
class TunerTest {
    private static Map<String, String> values(TuningPlan p) {
        Map<String, String> m = new LinkedHashMap<>();
        p.settings().forEach(t -> m.put(t.guc(), t.value()));
        return m;
    }

    @Test
    void vps8GbTwoCpusSsdWebAtHalfShare() {
        // budget 50% of 8GB = 4096MB; shared_buffers 4096/4 = 1024MB; effective_cache 4096*3/4 = 3072MB;
        // maintenance 4096/16 = 256MB; work_mem: 4096 - 1024 - 16 wal - 256 x (3 autovacuum + 1 build) - (8 + 2 parallel + 4 cron)
        // x 6MB - 100 x 6MB = 1348MB / ((100 + 6) x 2 sorts) = 6.4 -> 6MB (the RAM plan: every process's own memory counts);
        // wal_buffers min(16MB, 1024/32 = 32MB) = 16MB; max_wal 4GB capped at 10% of 22GB = 2252.8 -> 2252MB; min_wal 2252/4 = 563MB;
        // workers: per gather 2 like stock (min(2, 2 CPUs)); maintenance max(2, 2/2) = 2; autovacuum max(3, 1) = 3; processes max(8, 2) + 4 = 12
        TuningPlan p = Tuner.plan(new Machine(8 * GB, 2, true, 22 * GB, "detected", "detected"), Profile.WEB, 50, Map.of());
        assertThat(p.budgetBytes()).isEqualTo(4L * 1024 * 1024 * 1024);
        assertThat(values(p)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("max_connections", "100"),
                Map.entry("shared_buffers", "1GB"),
                Map.entry("effective_cache_size", "3GB"),
                Map.entry("maintenance_work_mem", "256MB"),
                Map.entry("max_parallel_workers", "2"),
                Map.entry("work_mem", "6MB"),
                Map.entry("wal_buffers", "16MB"),
                Map.entry("max_wal_size", "2252MB"),
                Map.entry("min_wal_size", "563MB"),
                Map.entry("checkpoint_completion_target", "0.9"),
                Map.entry("random_page_cost", "1.1"),
                Map.entry("effective_io_concurrency", "200"),
                Map.entry("autovacuum_max_workers", "3"),
                Map.entry("autovacuum_naptime", "30s"),
                Map.entry("autovacuum_vacuum_cost_limit", "1000"),
                Map.entry("max_worker_processes", "12"),
                Map.entry("max_parallel_workers_per_gather", "2"),
                Map.entry("max_parallel_maintenance_workers", "2"),
                Map.entry("parallel_tuple_cost", "0.05"),
                Map.entry("wal_compression", "lz4")));
        assertThat(p.get("shared_buffers").orElseThrow().restart()).isTrue();
        assertThat(p.get("work_mem").orElseThrow().restart()).isFalse();
        assertThat(p.get("max_wal_size").orElseThrow().reason()).contains("10% of the");
    }

    @Test
    void small2GbOneCpuSpinningDiskDedicated() {
        // dedicated, but the RAM plan keeps 10% for the OS and 368MB for the agent: budget 2048 - 204 - 368 = 1475MB;
        // shared_buffers 368MB; effective_cache 1106MB; maintenance 1475/16 = 92MB; 100 connections do not fit at work_mem
        // 4MB: cut to 43; wal_buffers 368/32 = 11MB; disk size unknown: web's 4GB, min 1GB;
        // spinning disk: random_page_cost 4, io concurrency 2, vacuum cost limit 200; CPUs: every floor of 1 or 3
        // (parallel workers: stock's 2 capped at the 1 CPU)
        TuningPlan p = Tuner.plan(new Machine(2 * GB, 1, false, 0, "t", "t"), Profile.WEB, 100, Map.of());
        assertThat(values(p)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("max_connections", "43"),
                Map.entry("shared_buffers", "368MB"),
                Map.entry("effective_cache_size", "1106MB"),
                Map.entry("maintenance_work_mem", "92MB"),
                Map.entry("max_parallel_workers", "1"),
                Map.entry("work_mem", "4MB"),
                Map.entry("wal_buffers", "11MB"),
                Map.entry("max_wal_size", "4GB"),
                Map.entry("min_wal_size", "1GB"),
                Map.entry("checkpoint_completion_target", "0.9"),
                Map.entry("random_page_cost", "4"),
                Map.entry("effective_io_concurrency", "2"),
                Map.entry("autovacuum_max_workers", "3"),
                Map.entry("autovacuum_naptime", "30s"),
                Map.entry("autovacuum_vacuum_cost_limit", "200"),
                Map.entry("max_worker_processes", "12"),
                Map.entry("max_parallel_workers_per_gather", "1"),
                Map.entry("max_parallel_maintenance_workers", "1"),
                Map.entry("parallel_tuple_cost", "0.1"),
                Map.entry("wal_compression", "lz4")));
    }

    @Test
    void big64GbSixteenCpusAnalytics() {
        // budget 65536 - 6553 (10% for the OS) - 368 (agent) = 58614MB; shared_buffers 14653MB; effective_cache 43960MB;
        // maintenance 58614/8 capped at 2GB; work_mem: what is left after shared_buffers, 2GB x (8 autovacuum + 1 build) and
        // every process's 6MB, / (40 conns + 20 workers) x 1 sort = 418MB; wal_buffers capped at 16MB;
        // analytics max_wal 16GB, min 4GB; autovacuum min(8, 16/2) = 8; processes 16 + 4 = 20; per gather 16/2 = 8;
        // maintenance workers min(4, 8) = 4; analytics is not busy: naptime 1min
        TuningPlan p = Tuner.plan(new Machine(64 * GB, 16, true, 0, "t", "t"), Profile.ANALYTICS, 100, Map.of());
        assertThat(values(p)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("max_connections", "40"),
                Map.entry("shared_buffers", "14653MB"),
                Map.entry("effective_cache_size", "43960MB"),
                Map.entry("maintenance_work_mem", "2GB"),
                Map.entry("max_parallel_workers", "16"),
                Map.entry("work_mem", "418MB"),
                Map.entry("wal_buffers", "16MB"),
                Map.entry("max_wal_size", "16GB"),
                Map.entry("min_wal_size", "4GB"),
                Map.entry("checkpoint_completion_target", "0.9"),
                Map.entry("random_page_cost", "1.1"),
                Map.entry("effective_io_concurrency", "200"),
                Map.entry("autovacuum_max_workers", "8"),
                Map.entry("autovacuum_naptime", "1min"),
                Map.entry("autovacuum_vacuum_cost_limit", "1000"),
                Map.entry("max_worker_processes", "20"),
                Map.entry("max_parallel_workers_per_gather", "8"),
                Map.entry("max_parallel_maintenance_workers", "4"),
                Map.entry("parallel_tuple_cost", "0.05"),
                Map.entry("wal_compression", "lz4")));
    }

    @Test
    void explicitValuesWinAndFeedDependentRules() {
        // 8GB/2 CPUs/web at 50% with max_connections=20 and shared_buffers=512MB set by hand:
        // work_mem 4096 - 512 - 16 - 256 x 4 - 14 x 6MB - 20 x 6MB = 2340MB / ((20 + 6) x 2) = 45MB; wal_buffers 512/32 = 16MB
        TuningPlan p = Tuner.plan(new Machine(8 * GB, 2, true, 22 * GB, "detected", "detected"), Profile.WEB, 50,
                Map.of("max_connections", new Tuner.Override("20", ".env.dev"), "shared_buffers", new Tuner.Override("512MB", "env")));
        assertThat(p.value("max_connections")).isEqualTo("20");
        assertThat(p.get("max_connections").orElseThrow().source()).isEqualTo(".env.dev");
        assertThat(p.value("shared_buffers")).isEqualTo("512MB");
        assertThat(p.get("shared_buffers").orElseThrow().reason()).contains("pgbox would use 1GB");
        assertThat(p.value("work_mem")).isEqualTo("45MB");
        assertThat(p.value("wal_buffers")).isEqualTo("16MB");
    }

    @Test
    void everyLineHasAReason() {
        Tuner.plan(new Machine(8 * GB, 2, true, 22 * GB, "detected", "detected"), Profile.MIXED, 50, Map.of()).settings()
                .forEach(t -> assertThat(t.reason()).as(t.guc()).isNotBlank());
    }

    /**
     * Parallel workers per CPU count, worked out by hand: never fewer than stock PostgreSQL's 2 (1 on a
     * 1-CPU box, where max_parallel_workers is 1), per gather 2 except analytics (half the CPUs),
     * per index build half the CPUs, at most 4.
     */
    @Test
    void parallelWorkersNeverBelowStockPerCpuCount() {
        // cpus -> {web per gather, web maintenance, analytics per gather, analytics maintenance}
        int[][] expected = {
            {1, 1, 1, 1, 1},
            {2, 2, 2, 2, 2},
            {3, 2, 2, 2, 2},
            {4, 2, 2, 2, 2},
            {6, 2, 3, 3, 3},
            {8, 2, 4, 4, 4},
            {16, 2, 4, 8, 4},
            {64, 2, 4, 32, 4},
        };
        for (int[] row : expected) {
            Machine m = new Machine(8 * GB, row[0], true, 0, "t", "t");
            TuningPlan web = Tuner.plan(m, Profile.WEB, 50, Map.of());
            TuningPlan analytics = Tuner.plan(m, Profile.ANALYTICS, 50, Map.of());
            assertThat(web.value("max_parallel_workers_per_gather")).as("web per gather, %d CPUs", row[0]).isEqualTo(Integer.toString(row[1]));
            assertThat(web.value("max_parallel_maintenance_workers")).as("web maintenance, %d CPUs", row[0]).isEqualTo(Integer.toString(row[2]));
            assertThat(analytics.value("max_parallel_workers_per_gather")).as("analytics per gather, %d CPUs", row[0])
                    .isEqualTo(Integer.toString(row[3]));
            assertThat(analytics.value("max_parallel_maintenance_workers")).as("analytics maintenance, %d CPUs", row[0])
                    .isEqualTo(Integer.toString(row[4]));
            // a row from a worker costs half of stock's 0.1 once there is a second CPU to run a worker on
            assertThat(web.value("parallel_tuple_cost")).as("parallel_tuple_cost, %d CPUs", row[0]).isEqualTo(row[0] == 1 ? "0.1" : "0.05");
        }
    }
}
