package dev.pgbox.memory;

import static dev.pgbox.config.Size.GB;
import static dev.pgbox.config.Size.MB;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IndexMemoryTest {
    @Test
    void theBoundIsTheRamPlansBuildLinePlusItsHeadroom() {
        dev.pgbox.tune.RamBudget plan = dev.pgbox.tune.RamBudget.of(dev.pgbox.tune.Tuner.plan(
                new dev.pgbox.tune.Machine(8 * GB, 2, true, 0, "detected", "t"), dev.pgbox.tune.Profile.WEB, 50, java.util.Map.of()));
        assertThat(BuildMemory.bound(plan)).isEqualTo(plan.bytes("index_builds") + plan.headroomBytes());
        assertThat(BuildMemory.bound(plan)).isGreaterThan(GB);
        assertThat(BuildMemory.boundRule(plan)).contains("RAM plan", "8.0 GB RAM (detected)", "pgbox plan");
    }

    @Test
    void aGraphThatFitsKeepsTheServersValue() {
        BuildMemory m = BuildMemory.decide(64 * MB, 20 * MB, GB, "rule");
        assertThat(m.raised()).isFalse();
        assertThat(m.fits()).isTrue();
        assertThat(m.useBytes()).isEqualTo(64 * MB);
        assertThat(m.describe()).contains("fits the server's maintenance_work_mem 64MB");
    }

    @Test
    void aLargerGraphGetsItsEstimatePlusAMarginInWholeMegabytes() {
        BuildMemory m = BuildMemory.decide(MB, 17 * MB, GB, "rule");
        assertThat(m.raised()).isTrue();
        assertThat(m.fits()).isTrue();
        // 17MB + 15% = 19.55MB, rounded up
        assertThat(m.useBytes()).isEqualTo(20 * MB);
        assertThat(m.describe()).contains("raised for this build from 1MB to 20MB");
    }

    @Test
    void theBoundIsNeverExceededAndNeverLowersTheServersValue() {
        BuildMemory capped = BuildMemory.decide(64 * MB, 10 * GB, 2 * GB + 123, "rule");
        assertThat(capped.useBytes()).isEqualTo(2 * GB);
        assertThat(capped.raised()).isTrue();
        assertThat(capped.fits()).isFalse();
        assertThat(capped.describe()).contains("more than the bound").contains("slower");
        BuildMemory low = BuildMemory.decide(64 * MB, 10 * GB, 16 * MB, "rule");
        assertThat(low.useBytes()).isEqualTo(64 * MB);
        assertThat(low.raised()).isFalse();
        assertThat(low.fits()).isFalse();
    }

    @Test
    void parallelWorkersStayWithinTheServersWorkers() {
        // 8 CPUs: 7 wanted; max_parallel_workers 8, max_worker_processes 12 - 4 for pg_cron
        assertThat(IndexManager.parallelWorkers(new IndexManager.ServerMemory(0, 0, 100, 0, 12, 8, 4), 8)).isEqualTo(7);
        assertThat(IndexManager.parallelWorkers(new IndexManager.ServerMemory(0, 0, 100, 0, 12, 2, 1), 8)).isEqualTo(2);
        assertThat(IndexManager.parallelWorkers(new IndexManager.ServerMemory(0, 0, 100, 0, 6, 8, 4), 8)).isEqualTo(2);
        assertThat(IndexManager.parallelWorkers(new IndexManager.ServerMemory(0, 0, 100, 0, 12, 2, 1), 2)).isEqualTo(1);
        assertThat(IndexManager.parallelWorkers(new IndexManager.ServerMemory(0, 0, 100, 0, 4, 2, 1), 2)).isZero();
    }

    @Test
    void progressLinesShowWhatPostgresFillsIn() {
        assertThat(IndexManager.line("building index: loading tuples", 10, 40, 1200, 0))
                .isEqualTo("building index: loading tuples, 10 / 40 blocks (25 %), 1200 tuples");
        assertThat(IndexManager.line("waiting for writers before build", 0, 0, 0, 0)).isEqualTo("waiting for writers before build");
    }
}
