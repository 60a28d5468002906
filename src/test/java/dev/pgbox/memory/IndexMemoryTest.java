package dev.pgbox.memory;

import static dev.pgbox.config.Size.GB;
import static dev.pgbox.config.Size.MB;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IndexMemoryTest {
    @Test
    void theBoundLeavesSharedBuffersAndEveryConnectionsWorkMem() {
        assertThat(BuildMemory.bound(4 * GB, GB, 100, 4 * MB)).isEqualTo(3 * GB - 400 * MB);
        assertThat(BuildMemory.bound(GB, GB, 100, 4 * MB)).isZero();
        assertThat(BuildMemory.boundRule(4 * GB, "50% of 8.0 GB RAM, detected", GB, 100, 4 * MB))
                .contains("4.0 GB planned RAM").contains("1.0 GB shared_buffers").contains("100 connections x 4 MB work_mem")
                .contains("interim rule");
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
