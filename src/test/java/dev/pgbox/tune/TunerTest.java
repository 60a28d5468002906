package dev.pgbox.tune;

import static dev.pgbox.config.Size.GB;
import static dev.pgbox.config.Size.MB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.config.Size;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TunerTest {
    private static final Machine VPS_8GB = new Machine(8 * GB, 2, true, 22 * GB, "detected", "detected");

    @Test
    void sharedHostGetsAQuarterOfItsShare() {
        TuningPlan p = Tuner.plan(VPS_8GB, Profile.WEB, 50, Map.of());
        assertThat(p.budgetBytes()).isEqualTo(4 * GB);
        assertThat(p.value("shared_buffers")).isEqualTo("1GB");
        assertThat(p.value("effective_cache_size")).isEqualTo("3GB");
        assertThat(p.value("maintenance_work_mem")).isEqualTo("256MB");
        assertThat(p.value("max_connections")).isEqualTo("100");
        assertThat(p.get("shared_buffers").orElseThrow().restart()).isTrue();
        assertThat(p.get("work_mem").orElseThrow().restart()).isFalse();
    }

    @Test
    void dedicatedServerDoublesTheMemorySettings() {
        TuningPlan shared = Tuner.plan(VPS_8GB, Profile.WEB, 50, Map.of());
        TuningPlan dedicated = Tuner.plan(VPS_8GB, Profile.WEB, 100, Map.of());
        assertThat(Size.parse(dedicated.value("shared_buffers"))).isEqualTo(2 * Size.parse(shared.value("shared_buffers")));
    }

    @Test
    void workMemTimesEveryPossibleSortFitsInTheRamLeft() {
        for (Profile profile : Profile.values()) {
            for (long ram : new long[] {GB, 8 * GB, 64 * GB}) {
                Machine m = new Machine(ram, 8, true, 0, "t", "t");
                TuningPlan p = Tuner.plan(m, profile, 100, Map.of());
                long workMem = Size.parse(p.value("work_mem"));
                long left = p.budgetBytes() - Size.parse(p.value("shared_buffers"));
                long sorts = Long.parseLong(p.value("max_connections")) * profile.opsPerQuery
                        + Long.parseLong(p.value("max_parallel_workers"));
                if (workMem > 4 * MB) { // the 4MB floor is PostgreSQL's own default
                    assertThat(workMem * sorts).as(profile + " " + Size.human(ram)).isLessThanOrEqualTo(left);
                }
            }
        }
    }

    @Test
    void explicitValuesWinAndFeedDependentRules() {
        TuningPlan auto = Tuner.plan(VPS_8GB, Profile.WEB, 50, Map.of());
        TuningPlan p = Tuner.plan(VPS_8GB, Profile.WEB, 50,
                Map.of("max_connections", new Tuner.Override("20", ".env.dev"), "shared_buffers", new Tuner.Override("512MB", "env")));
        assertThat(p.value("max_connections")).isEqualTo("20");
        assertThat(p.get("max_connections").orElseThrow().source()).isEqualTo(".env.dev");
        assertThat(p.get("shared_buffers").orElseThrow().reason()).contains("pgbox would use 1GB");
        // fewer connections and smaller shared_buffers leave more per sort
        assertThat(Size.parse(p.value("work_mem"))).isGreaterThan(Size.parse(auto.value("work_mem")));
    }

    @Test
    void diskKindSetsPlannerCosts() {
        Machine hdd = new Machine(8 * GB, 2, false, 0, "t", "t");
        assertThat(Tuner.plan(VPS_8GB, Profile.WEB, 50, Map.of()).value("random_page_cost")).isEqualTo("1.1");
        assertThat(Tuner.plan(VPS_8GB, Profile.WEB, 50, Map.of()).value("effective_io_concurrency")).isEqualTo("200");
        assertThat(Tuner.plan(hdd, Profile.WEB, 50, Map.of()).value("random_page_cost")).isEqualTo("4");
        assertThat(Tuner.plan(hdd, Profile.WEB, 50, Map.of()).value("effective_io_concurrency")).isEqualTo("2");
    }

    @Test
    void walIsCappedByASmallDisk() {
        TuningPlan p = Tuner.plan(VPS_8GB, Profile.ANALYTICS, 50, Map.of());
        assertThat(Size.parse(p.value("max_wal_size"))).isLessThanOrEqualTo(22 * GB / 10);
        assertThat(p.get("max_wal_size").orElseThrow().reason()).contains("10% of the");
        TuningPlan big = Tuner.plan(new Machine(8 * GB, 2, true, 2000 * GB, "t", "t"), Profile.ANALYTICS, 50, Map.of());
        assertThat(big.value("max_wal_size")).isEqualTo("16GB");
    }

    @Test
    void profilesShapeConnectionsAndParallelism() {
        Machine big = new Machine(64 * GB, 16, true, 0, "t", "t");
        TuningPlan analytics = Tuner.plan(big, Profile.ANALYTICS, 100, Map.of());
        TuningPlan oltp = Tuner.plan(big, Profile.OLTP, 100, Map.of());
        assertThat(analytics.value("max_connections")).isEqualTo("40");
        assertThat(oltp.value("max_connections")).isEqualTo("200");
        assertThat(analytics.value("max_parallel_workers_per_gather")).isEqualTo("8");
        assertThat(oltp.value("max_parallel_workers_per_gather")).isEqualTo("2");
        assertThat(Size.parse(analytics.value("work_mem"))).isGreaterThan(Size.parse(oltp.value("work_mem")));
        assertThat(analytics.value("maintenance_work_mem")).isEqualTo("2GB");
        assertThat(oltp.value("max_worker_processes")).isEqualTo(Integer.toString(16 + Tuner.CRON_WORKERS));
    }

    @Test
    void everyLineHasAReason() {
        Tuner.plan(VPS_8GB, Profile.MIXED, 50, Map.of()).settings()
                .forEach(t -> assertThat(t.reason()).as(t.guc()).isNotBlank());
    }
}
